def rotate_words(sentence: str, k: int) -> str:
    """Rotate the words of sentence k places to the right."""
    words = sentence.split()
    if not words:
        return ""
    k %= len(words)
    return " ".join(words[-k:] + words[:-k]) if k else " ".join(words)
