"""Test stand-in for the skyrl_gym package: the Env base class."""

from typing import Generic, TypeVar

ObsType = TypeVar("ObsType")
ActType = TypeVar("ActType")


class Env(Generic[ObsType, ActType]):
    def step(self, action):
        raise NotImplementedError

    def init(self, prompt):
        raise NotImplementedError

    def close(self):
        pass
