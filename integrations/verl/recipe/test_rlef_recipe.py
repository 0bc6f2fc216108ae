"""Checks the recipe's verl adapter on a stand-in batch (needs torch, not verl)."""
import os
import sys
import unittest

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

try:
    import torch
except ImportError:  # the adapter converts torch tensors; without torch there is nothing to check
    torch = None

import rlef_recipe  # noqa: E402
from test_rlef_advantage import load_golden, padded  # noqa: E402


class FakeDataProto:
    def __init__(self, batch, non_tensor_batch):
        self.batch = batch
        self.non_tensor_batch = non_tensor_batch


@unittest.skipIf(torch is None, "torch is not installed")
class Adapter(unittest.TestCase):
    def test_batch_fields(self):
        g = load_golden()
        rows = g["rows"]
        mask = torch.tensor(padded(rows, "response_mask"), dtype=torch.int64)
        data = FakeDataProto(
            {"response_mask": mask,
             "old_log_probs": torch.tensor(padded(rows, "old_log_probs"), dtype=torch.float32),
             "ref_log_prob": torch.tensor(padded(rows, "ref_log_prob"), dtype=torch.float32),
             "values": torch.tensor(padded(rows, "values"), dtype=torch.float32)},
            {"turn_scores": np.array([r["turn_scores"] for r in rows], dtype=object)})
        fn = rlef_recipe.make_compute_advantage({"beta": g["beta"]})
        out = fn(data, adv_estimator="gae", gamma=1.0, lam=1.0)
        for key in ("advantages", "returns", "token_level_rewards"):
            self.assertEqual(out.batch[key].shape, mask.shape)
            self.assertEqual(out.batch[key].dtype, torch.float32)
            for b, want in enumerate(g["expected"][key]):
                # float32 inputs: agreement to float32 precision.
                np.testing.assert_allclose(out.batch[key][b][:len(want)].numpy(), want, rtol=1e-4, atol=1e-5)
        self.assertEqual(out.batch["rlef_value_mask"].dtype, mask.dtype)
        self.assertEqual(int(out.batch["rlef_value_mask"].sum()), sum(len(r["turn_scores"]) for r in rows))

    def test_discounting_refused(self):
        data = FakeDataProto({}, {})
        with self.assertRaises(ValueError):
            rlef_recipe.compute_advantage_rlef(data, gamma=0.99)

    def test_missing_turn_scores(self):
        data = FakeDataProto({"response_mask": torch.ones(1, 2)}, {})
        with self.assertRaises(KeyError):
            rlef_recipe.compute_advantage_rlef(data)


if __name__ == "__main__":
    unittest.main()
