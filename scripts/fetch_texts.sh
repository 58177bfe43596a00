#!/usr/bin/env bash
# Fetches the prose the synthetic line generator (htr/synthetic) writes, from Debian packages:
#   cyrillic/fortunes-ru.txt  modern Russian sayings and jokes, package fortunes-ru (GPL-2; rewritten into
#                             pre-reform spelling at generation time)
#   latin/fortunes-en.txt     English sayings, package fortunes-min (fortune-mod, BSD licence)
#   scripts/fetch_texts.sh [DIR]    DIR defaults to $SKOROPIS_TEXTS or ~/.cache/skoropis/texts
# The texts are not committed: they only feed the renderer. Needs apt-get (Debian) and python3.
set -euo pipefail
dest="${1:-${SKOROPIS_TEXTS:-$HOME/.cache/skoropis/texts}}"
work="$(mktemp -d)"
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
mkdir -p "$dest/cyrillic" "$dest/latin"
fetch() {  # package, file glob inside the package's fortunes folder, output file
  (cd "$work" && apt-get download "$1" >/dev/null 2>&1) || { echo "apt-get download $1 failed (run apt-get update?)" >&2; return 1; }
  mkdir -p "$work/$1" && dpkg-deb -x "$work"/"$1"_*.deb "$work/$1"
  python3 - "$work/$1" "$2" "$3" <<'PY'
import pathlib, re, sys
root, pattern, out = pathlib.Path(sys.argv[1]), sys.argv[2], pathlib.Path(sys.argv[3])
passages = []
for path in sorted(root.glob(pattern)):
    if path.suffix == ".dat" or not path.is_file():
        continue
    text = path.read_bytes().decode("utf-8", errors="replace")
    for entry in re.split(r"^%\s*$", text, flags=re.M):
        lines = [l for l in entry.splitlines() if not re.match(r"^\s+--", l)]
        passage = re.sub(r"\s+", " ", " ".join(lines)).strip()
        if 12 <= len(passage) <= 2000 and "\ufffd" not in passage:
            passages.append(passage)
out.write_text("\n".join(dict.fromkeys(passages)) + "\n", encoding="utf-8")
print(f"{out}: {len(passages)} passages")
PY
}
fetch fortunes-ru 'usr/share/games/fortunes/ru/*.u8' "$dest/cyrillic/fortunes-ru.txt"
fetch fortunes-min 'usr/share/games/fortunes/*' "$dest/latin/fortunes-en.txt"
cat > "$dest/SOURCES.md" <<'MD'
- cyrillic/fortunes-ru.txt: Debian package fortunes-ru (fortune-mod-ru by Pavel Maryanov), GPL-2.
- latin/fortunes-en.txt: Debian package fortunes-min (fortune-mod), BSD licence.
MD
echo "texts in $dest"
