def rotate_words(sentence: str, k: int) -> str:
    # Bug: an empty sentence divides by zero.
    words = sentence.split()
    k %= len(words)
    return " ".join(words[-k:] + words[:-k]) if k else " ".join(words)
