#!/usr/bin/env bash
# Fetches the handwriting-style fonts that the synthetic line generator (htr/synthetic) renders with.
# They come from npm (@fontsource packages of Google Fonts families, all under the SIL Open Font Licence 1.1);
# only the .woff files of the latin, cyrillic and cyrillic-ext subsets are kept, with each family's LICENSE.
#   scripts/fetch_fonts.sh [DIR]      DIR defaults to $SKOROPIS_FONTS or ~/.cache/skoropis/fonts
# The generator itself never downloads anything: it reads DIR (and the fonts bundled in htr/synthetic/fonts).
set -euo pipefail
dest="${1:-${SKOROPIS_FONTS:-$HOME/.cache/skoropis/fonts}}"
families=(
  alegreya amatic-sc bad-script caveat comforter comforter-brush cormorant-infant gabriela great-vibes kurale
  lobster marck-script neucha old-standard-tt oranienbaum pacifico pangolin playpen-sans ponomar ruslan-display
  shantell-sans triodion yeseva-one
  # Latin cursive and copperplate hands (18th-century-like and modern), for Latin-script synthetic lines.
  alex-brush allura bilbo cedarville-cursive dancing-script dawning-of-a-new-day engagement herr-von-muellerhoff
  homemade-apple italianno kristi la-belle-aurore league-script meddon miss-fajardose monsieur-la-doulaise
  mr-dafoe mr-de-haviland mrs-saint-delafield over-the-rainbow parisienne petit-formal-script pinyon-script
  princess-sofia qwigley reenie-beanie rouge-script ruthie sacramento tangerine waiting-for-the-sunrise zeyada
)
command -v npm >/dev/null || { echo "npm is needed (apt-get install npm)" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$dest"
for family in "${families[@]}"; do
  if [ -f "$dest/$family/LICENSE" ]; then echo "have $family"; continue; fi
  (cd "$work" && npm pack --silent "@fontsource/$family" >/dev/null)
  tarball="$(ls "$work"/fontsource-"$family"-*.tgz | head -1)"
  mkdir -p "$work/$family" "$dest/$family"
  tar xzf "$tarball" -C "$work/$family"
  cp "$work/$family"/package/files/"$family"-{latin,cyrillic,cyrillic-ext}-400-normal.woff "$dest/$family/" 2>/dev/null || true
  cp "$work/$family/package/LICENSE" "$dest/$family/LICENSE"
  version="$(sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' "$work/$family/package/package.json" | head -1)"
  echo "@fontsource/$family@$version OFL-1.1" > "$dest/$family/SOURCE"
  echo "fetched $family ($version)"
done
echo "fonts in $dest"
