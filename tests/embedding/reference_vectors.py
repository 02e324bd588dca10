#!/usr/bin/env python3
"""Writes tests/embedding/minilm_reference.json: for a fixed list of sentences, the token ids of
HF `tokenizers` and the vectors of sentence-transformers for all-MiniLM-L6-v2, which
tests/unit/minilm_embedder_test.cpp compares the C++ MiniLmEmbedder against. Test-only.

Regenerate (once: a venv with torch from PyPI, about 6 GB with its CUDA wheels, 3 minutes):
    python3 -m venv /tmp/minilm-venv
    /tmp/minilm-venv/bin/pip install sentence-transformers tokenizers
    infra/scripts/minilm-model.sh        # the model, into ${AIMI_MODEL_DIR:-/var/cache/aimi/models}
    HF_HUB_OFFLINE=1 /tmp/minilm-venv/bin/python tests/embedding/reference_vectors.py [MODEL_DIR]

Nothing is fetched from a model hub: the model directory is the one the install step unpacked.
"""
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import sentence_transformers  # noqa: E402
import tokenizers  # noqa: E402
import torch  # noqa: E402
from sentence_transformers import SentenceTransformer  # noqa: E402

LONG_EN = (
    "Yesterday I finally went for the long run I had been planning for weeks. The route went along "
    "the river, past the old bridge, through the park where we used to play football as kids, and "
    "back up the hill to our street. My legs felt heavy after the fifth kilometre, but I kept a slow, "
    "steady pace and focused on breathing. "
) * 5
LONG_RU = (
    "Вчера я наконец-то пробежал длинную дистанцию, которую планировал несколько недель. Маршрут шёл "
    "вдоль реки, мимо старого моста, через парк, где мы в детстве играли в футбол, и обратно в горку "
    "к нашей улице. После пятого километра ноги стали тяжёлыми, но я держал ровный темп. "
) * 4

SENTENCES = [
    "Hello, world!",
    "I want to run a 10k in May",
    "and sleep before 11pm",
    "",
    "   \t\n ",
    "ok",
    "lol 😂",
    "Sounds good, see you tomorrow at 8!",
    "Café au lait, naïve résumé — déjà vu.",
    "Ёжик в тумане: йогурт, ёлка и Йошкар-Ола.",
    "Привет! Как дела? Я хочу бегать по утрам.",
    "ПРОГРАММИРОВАНИЕ на C++ — это весело",
    "I love you 🥰😀👍🏽",
    "Family: 👨‍👩‍👧 and ❤️",
    "Meeting at 9:30am on 2024-03-15, room #42; budget $1,250.99 (≈€1.1k) & 50% off.",
    "Mixed: Москва is the capital of Россия, 東京 is Japan's; 서울 is Korea's.",
    "Ünïcödé ÀÉÎÕÜ straße İstanbul ǅungla Ωmega ﬁne",
    "hello [MASK] world[SEP]x",
    "Don't stop—believing!!! ...right? «quotes» „low“ 'single'",
    "Write to ann@example.com or see https://example.com/a?b=c&d=e.",
    "supercalifragilisticexpialidocious " + "a" * 120 + " end",
    "Tabs\tand\nnew lines\r\nand\u00a0nbsp\u2003em space",
    "zero\u200bwidth soft\u00adhyphen bom\ufeff control\x07bell",
    "مرحبا بالعالم שלום עולם नमस्ते दुनिया",
    "Καλημέρα κόσμε, ΆΈΉ",
    "Tiếng Việt có dấu",
    "3.14159 1,000,000 1st 2nd 3rd 42% x²",
    LONG_EN,
    LONG_RU,
]


def main():
    model_dir = Path(
        sys.argv[1]
        if len(sys.argv) > 1
        else Path(os.environ.get("AIMI_MODEL_DIR", "/var/cache/aimi/models")) / "all-MiniLM-L6-v2"
    )
    torch.set_num_threads(2)
    model = SentenceTransformer(str(model_dir), device="cpu")
    max_length = model.max_seq_length

    tokenizer = tokenizers.Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length)
    ids = [tokenizer.encode(s).ids for s in SENTENCES]
    # sentence-transformers tokenizes through transformers: the ids it feeds the model must be these.
    for sentence, expected in zip(SENTENCES, ids):
        features = model.preprocess([sentence])
        assert features["input_ids"][0].tolist() == expected, sentence

    vectors = model.encode(SENTENCES, batch_size=8, convert_to_numpy=True)
    out = {
        "model_dir_files": {
            "package_version": (model_dir / "package-version").read_text().strip(),
            "max_seq_length": max_length,
        },
        "generated_by": {
            "sentence_transformers": sentence_transformers.__version__,
            "tokenizers": tokenizers.__version__,
            "torch": torch.__version__,
        },
        "sentences": [
            {"text": s, "ids": i, "vector": [float(f"{x:.8g}") for x in v.tolist()]}
            for s, i, v in zip(SENTENCES, ids, vectors)
        ],
    }
    target = Path(__file__).resolve().parent / "minilm_reference.json"
    # One sentence a line keeps the file readable and its diffs small.
    head = json.dumps({k: v for k, v in out.items() if k != "sentences"}, ensure_ascii=False)[:-1]
    lines = ",\n".join(json.dumps(s, ensure_ascii=False) for s in out["sentences"])
    target.write_text(f'{head}, "sentences": [\n{lines}\n]}}\n')
    print(f"wrote {target}: {len(SENTENCES)} sentences, {max(len(i) for i in ids)} ids at most")


if __name__ == "__main__":
    main()
