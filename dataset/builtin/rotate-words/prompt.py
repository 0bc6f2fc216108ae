def rotate_words(sentence: str, k: int) -> str:
    """Rotate the words of sentence k places to the right (to the left when
    k is negative). Words are separated by runs of spaces; the result joins
    them with single spaces and has no leading or trailing spaces.

    >>> rotate_words("one two three", 1)
    'three one two'
    >>> rotate_words("a b", -1)
    'b a'
    """
