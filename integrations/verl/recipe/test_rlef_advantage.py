"""Checks rlef_advantage against golden vectors from rlef's Go trainer.

Standard library and numpy only: python3 -m unittest test_rlef_advantage
"""
import json
import os
import unittest

import numpy as np

import rlef_advantage as ra

HERE = os.path.dirname(os.path.abspath(__file__))


def load_golden():
    with open(os.path.join(HERE, "testdata", "golden.json")) as f:
        return json.load(f)


def padded(rows, key, fill=0.0):
    n = max(len(r[key]) for r in rows)
    return np.array([r[key] + [fill] * (n - len(r[key])) for r in rows], dtype=np.float64)


class GoldenVectors(unittest.TestCase):
    def setUp(self):
        self.g = load_golden()
        self.rows = self.g["rows"]

    def compute(self):
        mask = padded(self.rows, "response_mask").astype(np.int64)
        return ra.rlef_advantages(mask, padded(self.rows, "old_log_probs"), padded(self.rows, "ref_log_prob"),
                                  padded(self.rows, "values"), [r["turn_scores"] for r in self.rows],
                                  beta=self.g["beta"], normalize=self.g["normalize"])

    def test_matches_go(self):
        out = self.compute()
        exp = self.g["expected"]
        for key in ("token_level_rewards", "advantages_raw", "advantages", "returns", "value_mask"):
            for b, want in enumerate(exp[key]):
                got = out[key][b][:len(want)]
                np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9, err_msg="%s, row %d" % (key, b))
        for key in ("turn_kl", "turn_returns"):
            for b, want in enumerate(exp[key]):
                np.testing.assert_allclose(out[key][b], want, rtol=1e-9, atol=1e-12, err_msg="%s, row %d" % (key, b))

    def test_rewards_never_on_masked_tokens(self):
        out = self.compute()
        mask = padded(self.rows, "response_mask")
        self.assertTrue(np.all(out["token_level_rewards"][mask == 0] == 0))
        self.assertTrue(np.all(out["advantages"][mask == 0] == 0))

    def test_advantage_is_constant_within_a_turn(self):
        out = self.compute()
        for b, r in enumerate(self.rows):
            for s, e in ra.turn_spans(r["response_mask"]):
                self.assertEqual(len(set(np.round(out["advantages_raw"][b][s:e], 12))), 1)

    def test_missing_last_turn_score_is_an_error(self):
        r = self.rows[0]
        with self.assertRaises(ra.TurnScoreMismatch):
            ra.rlef_advantages(np.array([r["response_mask"]]), np.array([r["old_log_probs"]]),
                               np.array([r["ref_log_prob"]]), np.array([r["values"]]), [r["turn_scores"][:-1]])

    def test_by_hand(self):
        # One row: turn 1 (2 tokens) invalid, feedback (1 token), turn 2
        # (1 token) correct, one pad. KL_1 = ((-1+1.5)+(-2+2.5))/2 = 0.5,
        # KL_2 = 0; R = (-0.2 - 0.025, 1); G = (0.775, 1); V_1 = values[0]
        # = 0.1, V_2 = values[3] = 0.4.
        out = ra.rlef_advantages([[1, 1, 0, 1, 0]], [[-1, -2, 0, -0.5, 0]], [[-1.5, -2.5, 9, -0.5, 9]],
                                 [[0.1, 7, 7, 0.4, 7]], [[-0.2, 1]], beta=0.05, normalize=False)
        np.testing.assert_allclose(out["token_level_rewards"][0], [0, -0.225, 0, 1, 0])
        np.testing.assert_allclose(out["returns"][0], [0.775, 0.775, 0, 1, 0])
        np.testing.assert_allclose(out["advantages_raw"][0], [0.675, 0.675, 0, 0.6, 0])
        np.testing.assert_array_equal(out["value_mask"][0], [1, 0, 0, 1, 0])

    def test_whiten(self):
        w = ra.whiten([1.0, 4.0, 4.0, 99.0], [1, 1, 1, 0])
        s = np.sqrt(2.0)
        np.testing.assert_allclose(w, [-2 / s, 1 / s, 1 / s, 0])
        np.testing.assert_array_equal(ra.whiten([3.0, 3.0], [1, 1]), [0.0, 0.0])


if __name__ == "__main__":
    unittest.main()
