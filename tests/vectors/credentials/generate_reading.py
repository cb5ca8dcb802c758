"""Write tests/vectors/credentials/reading.json: spec §8.3 "Reading a code", case by case.

Usage: ``.venv/bin/python -m tests.vectors.credentials.generate_reading``. Each case is what a
member typed and what a reader must make of it: the normalised code, or the refusal with what
the member is told: ``character`` (which character, and its 1-based position in what was typed,
counted in Unicode code points), ``length`` (how many symbols were read) or ``check`` (a
character mistyped or two swapped). tests/crypto/test_credential_reading_vectors.py checks each case
with crypto/credentials.py, booth/tests/vectors.test.mjs with booth/js/credentials.js.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

from crypto.credentials import CredentialCode
from crypto.errors import MalformedInput
from tests.vectors._generate import write_json

HERE = Path(__file__).resolve().parent
SOURCE = "verivote tests/vectors/credentials/generate_reading.py (spec §8.3)"
CODE = CredentialCode.unsafe_from_entropy(bytes.fromhex("0f1e2d3c4b5a69788796a5b4c3d2e1"))
TEXT = CODE.formatted()
PLAIN = TEXT.replace("-", "")


#: Spec §8.3 (1), in code point order.
WHITE_SPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680"
    "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)


def _swap(text: str, i: int, j: int) -> str:
    chars = list(text)
    chars[i], chars[j] = chars[j], chars[i]
    return "".join(chars)


def _substitute(text: str, i: int) -> str:
    replacement = "7" if text[i] != "7" else "8"
    return text[:i] + replacement + text[i + 1 :]


TYPED: list[tuple[str, str]] = [
    (TEXT, "as printed"),
    (TEXT.lower(), "lower case"),
    (" ".join(PLAIN[k : k + 5] for k in range(0, 25, 5)), "spaces between groups"),
    ("\u2013".join(PLAIN[k : k + 5] for k in range(0, 25, 5)), "en dashes (U+2013)"),
    ("\u2212".join(PLAIN[k : k + 5] for k in range(0, 25, 5)), "minus signs (U+2212)"),
    ("\u00a0".join(PLAIN[k : k + 5] for k in range(0, 25, 5)), "no-break spaces (U+00A0)"),
    ("\t" + PLAIN + "\n", "a tab before and a newline after"),
    (PLAIN.replace("0", "O").replace("1", "I"), "O read as 0, I read as 1"),
    (PLAIN.replace("1", "l").replace("0", "o"), "lower-case l and o read as 1 and 0"),
    (TEXT[:2] + "U" + TEXT[3:], "U is not in the alphabet"),
    (TEXT[:7] + "!" + TEXT[8:], "punctuation"),
    (TEXT[:4] + "é" + TEXT[5:], "a letter with an accent"),
    ("\u0410" + TEXT[1:], "Cyrillic A, which looks like A"),
    ("\uff21" + TEXT[1:], "full-width A"),
    ("\U0001f5f3" + TEXT[1:], "an emoji (one code point, two UTF-16 units)"),
    ("\ufeff" + TEXT, "a byte-order mark (not white space)"),
    ("\x1c" + TEXT, "U+001C, white space to Python's str.isspace"),
    (
        "".join(w + c for w, c in zip(WHITE_SPACE[:25], PLAIN, strict=True)) + WHITE_SPACE[25:],
        "each of the 29 white-space code points of §8.3 (1), between the symbols",
    ),
    (TEXT[:5] + "\u200b" + TEXT[5:], "a zero-width space U+200B (not white space)"),
    (TEXT[:5] + "\u180e" + TEXT[5:], "U+180E Mongolian vowel separator (not white space)"),
    (TEXT[:5] + "\u2060" + TEXT[5:], "a word joiner U+2060 (not white space)"),
    (TEXT[:-1], "24 symbols"),
    (TEXT + "0", "26 symbols"),
    ("", "nothing typed"),
    ("- -", "only separators"),
    (_substitute(TEXT, 8), "one character mistyped"),
    (_swap(TEXT, 12, 13), "two adjacent characters swapped"),
    (_swap(TEXT, 1, 27), "two distant characters swapped"),
]


def _case(typed: str, description: str) -> dict[str, Any]:
    try:
        code = CredentialCode.parse(typed)
    except MalformedInput as exc:
        message = str(exc)
        found = re.search(r"^credential code: (.+) \(character (\d+)\) is not used", message)
        if found:
            character = ast.literal_eval(found.group(1))
            refusal = {
                "reason": "character",
                "character": character,
                "position": int(found.group(2)),
            }
        elif "characters (5 groups of 5)" in message:
            refusal = {"reason": "length", "length": int(message.rsplit(" ", 1)[1])}
        else:
            assert "check character does not match" in message
            refusal = {"reason": "check"}
        return {"typed": typed, "description": description, "accepted": False, **refusal}
    return {
        "typed": typed,
        "description": description,
        "accepted": True,
        "normalised": code.normalised().decode(),
    }


def main() -> None:
    document = {
        "source": SOURCE,
        "description": (
            "Spec §8.3 reading a typed credential code: the normalised code, or the refusal "
            "(character and its position, length, or check) the member is told"
        ),
        "code": TEXT,
        "cases": [_case(typed, description) for typed, description in TYPED],
    }
    write_json(HERE / "reading.json", document)


if __name__ == "__main__":
    main()
