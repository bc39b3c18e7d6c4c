#!/usr/bin/env bash
# Refresh the vendored KERN UX design system (npm @kern-ux/native) under lms/static/vendor/kern/.
# Usage: scripts/vendor-kern.sh [VERSION]   (default: the version in lms/static/vendor/kern/VERSION)
set -euo pipefail
cd "$(dirname "$0")/.."
dest=lms/static/vendor/kern
version=${1:-$(cat "$dest/VERSION" 2>/dev/null || echo latest)}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "@kern-ux/native@$version" >/dev/null && tar xzf ./*.tgz)
pkg="$tmp/package"
rm -rf "$dest"
mkdir -p "$dest/fonts"
cp "$pkg/dist/kern.min.css" "$pkg/dist/kern-grid.min.css" "$pkg/dist/kern-utilities.min.css" "$dest/"
cp "$pkg/dist/fonts/fira-sans.css" "$dest/fonts/"
# Only the weights the stylesheet uses in practice (regular, italic, semi-bold, bold): keeps the repo small.
mkdir -p "$dest/fonts/fira-sans"
for f in Regular Italic SemiBold SemiBoldItalic Bold BoldItalic; do
  cp "$pkg/dist/fonts/fira-sans/FiraSans-$f.woff2" "$dest/fonts/fira-sans/"
done
# Drop @font-face rules for weights not vendored.
python3 - "$dest/fonts/fira-sans.css" <<'PY'
import re, sys, pathlib
p = pathlib.Path(sys.argv[1]); css = p.read_text()
keep = {"Regular", "Italic", "SemiBold", "SemiBoldItalic", "Bold", "BoldItalic"}
blocks = re.findall(r"@font-face\s*{[^}]*}", css)
out = [b for b in blocks if re.search(r"FiraSans-(\w+)\.woff2", b).group(1) in keep]
p.write_text("\n\n".join(out) + "\n")
PY
cp "$pkg/LICENSE.md" "$dest/LICENSE.md"
node -e 'console.log(require(process.argv[1]).version)' "$pkg/package.json" > "$dest/VERSION"
echo "KERN UX $(cat "$dest/VERSION") vendored into $dest"
