def run_length(s: str) -> list:
    """Compress s into runs of equal consecutive characters.

    Return a list of [character, count] pairs in order of appearance.
    Characters are compared exactly (case matters).

    >>> run_length("aaabcc")
    [['a', 3], ['b', 1], ['c', 2]]
    >>> run_length("")
    []
    """
