#!/usr/bin/env bash
# Build the offline installation bundle for a court intranet (no package registry in reach):
#   wheels/        the package's wheel + every runtime dependency pinned in requirements.lock
#                  (Linux x86_64; CPython versions in PYTHON_VERSIONS), extras in EXTRAS included
#   install.sh     installs into a virtualenv with `pip install --no-index` (deploy/install.sh)
#   fontconfig/    aliases of the official-document faces (仿宋_GB2312 …) to the installed CJK fonts
#   systemd/, Containerfile   the units and container definition of deploy/
#   requirements.txt, SHA256SUMS, BUNDLE.txt
# The package and its dependency list are read from pyproject.toml and requirements.lock at build time.
# This machine needs a registry (or pip's cache) once, to fetch the wheels; the bundle then needs none.
#
# Usage: scripts/build_bundle.sh [OUT_DIR] [--tar]
#   EXTRAS="spark"            extras of zhixiao to include (default: every optional group but test/dev)
#   PYTHON_VERSIONS="3.11 3.12"  CPython versions to carry binary wheels for (default: the builder's own)
#   WHEEL_CACHE=DIR           reuse dependency wheels built before for the same lock, extras and versions
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

OUT=dist/zhixiao-offline
TAR=0
for arg in "$@"; do
  case "$arg" in
    --tar) TAR=1 ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    -*) echo "错误：不认识的参数 $arg；用法：scripts/build_bundle.sh [输出目录] [--tar]" >&2; exit 1 ;;
    *) OUT=$arg ;;
  esac
done
PY=${PYTHON:-$ROOT/.venv/bin/python}
[ -x "$PY" ] || { echo "错误：找不到 Python $PY；请先运行 scripts/setup.sh，或用 PYTHON=路径 指定。" >&2; exit 1; }
[ -f requirements.lock ] || { echo "错误：缺少 requirements.lock。" >&2; exit 1; }

read -r VERSION AUTO_EXTRAS < <("$PY" - <<'EOF'
import tomllib
p = tomllib.load(open("pyproject.toml", "rb"))["project"]
extras = [e for e in p.get("optional-dependencies", {}) if e not in ("test", "dev")]
print(p["version"], ",".join(extras))
EOF
)
EXTRAS=${EXTRAS-$AUTO_EXTRAS}
EXTRAS=$(echo "$EXTRAS" | tr ' ' ',' | sed 's/,,*/,/g; s/^,//; s/,$//')
OWN_PY=$("$PY" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
PYTHON_VERSIONS=${PYTHON_VERSIONS:-$OWN_PY}
case " $PYTHON_VERSIONS " in
  *" $OWN_PY "*) ;;
  *) echo "错误：PYTHON_VERSIONS=$PYTHON_VERSIONS 须包含构建所用 Python 的版本 $OWN_PY（纯 Python 与源码包在此版本上构建）。" >&2; exit 1 ;;
esac
REQ="zhixiao${EXTRAS:+[$EXTRAS]}==$VERSION"
echo "== 离线安装包 / offline bundle: $REQ, Python $PYTHON_VERSIONS, Linux x86_64 → $OUT"

START=$(date +%s)
rm -rf "$OUT"
mkdir -p "$OUT/wheels"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# 1. the package's own wheel (vendored web assets are package data: zhixiao/web/static/vendor)
"$PY" -m pip wheel -q --no-deps -w "$WORK/own" .
OWN_WHEEL=$(ls "$WORK"/own/zhixiao-"$VERSION"-*.whl)

# 2. its runtime closure with the lock's pins as constraints, once per (lock, pyproject, extras, versions)
KEY=$(cat requirements.lock pyproject.toml | sha256sum | cut -c1-16)-$(echo "$EXTRAS $PYTHON_VERSIONS" | tr ' ,' '__')
DEPS=${WHEEL_CACHE:+$WHEEL_CACHE/$KEY}
DEPS=${DEPS:-$WORK/deps}
if [ ! -f "$DEPS/.complete" ]; then
  rm -rf "$DEPS" && mkdir -p "$DEPS"
  NOISE="is ignored: it is neither a file nor a directory"  # this machine's pip.conf names absent local indexes
  "$PY" -m pip wheel -q -w "$DEPS" -c requirements.lock "$OWN_WHEEL${EXTRAS:+[$EXTRAS]}" \
    2> >(grep -v "$NOISE" >&2)
  rm -f "$DEPS"/zhixiao-*.whl
  # binary wheels for the other CPython versions (pure-Python wheels serve every version)
  for V in $PYTHON_VERSIONS; do
    [ "$V" = "$OWN_PY" ] && continue
    T=cp${V/./}
    for whl in "$DEPS"/*.whl; do
      case "$whl" in *-none-any.whl) continue ;; esac
      pin=$(basename "$whl" | awk -F- '{print $1"=="$2}')
      "$PY" -m pip download -q --no-deps --only-binary=:all: -d "$DEPS" --python-version "$V" \
        --implementation cp --abi "$T" --abi abi3 --abi none \
        --platform manylinux2014_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux_2_24_x86_64 \
        --platform manylinux_2_27_x86_64 --platform manylinux_2_28_x86_64 --platform linux_x86_64 "$pin" \
        2> >(grep -v "$NOISE" >&2) || { echo "错误：$pin 没有 CPython $V、Linux x86_64 的二进制包；请从 PYTHON_VERSIONS 中去掉 $V。" >&2; exit 1; }
    done
  done
  touch "$DEPS/.complete"
fi
cp "$OWN_WHEEL" "$OUT/wheels/"
cp "$DEPS"/*.whl "$OUT/wheels/"

# 3. every dependency wheel must be the version pinned in requirements.lock (no drift past the lock)
"$PY" - "$OUT" "$REQ" <<'EOF'
import re, sys
from pathlib import Path
out, req = Path(sys.argv[1]), sys.argv[2]
norm = lambda n: re.sub(r"[-_.]+", "-", n).lower()
pins = {}
for line in Path("requirements.lock").read_text().splitlines():
    line = line.split("#", 1)[0].strip()
    if "==" in line:
        name, ver = line.split("==", 1)
        pins[norm(name.split("[", 1)[0])] = ver.strip()
seen = {}
for whl in sorted((out / "wheels").glob("*.whl")):
    name, ver = whl.name.split("-")[:2]
    if norm(name) == "zhixiao":
        continue
    if pins.get(norm(name)) != ver:
        sys.exit(f"错误：{whl.name} 的版本不在 requirements.lock 中（锁定为 {pins.get(norm(name), '未锁定')}）；"
                 "请先更新 requirements.lock 再构建。")
    seen[norm(name)] = f"{name}=={ver}"
lines = [req] + sorted(seen.values())
(out / "requirements.txt").write_text("\n".join(lines) + "\n")
print(f"   {len(seen)} 个依赖包 / dependencies, all pinned by requirements.lock")
EOF

# 4. install script, fonts, units, container definition
install -m 755 deploy/install.sh "$OUT/install.sh"
cp -r deploy/fontconfig deploy/systemd "$OUT/"
cp deploy/Containerfile "$OUT/"
{
  echo "zhixiao $VERSION offline bundle"
  echo "requirement: $REQ"
  echo "python: $PYTHON_VERSIONS (CPython, Linux x86_64)"
  echo "built: $(date -u +%Y-%m-%dT%H:%M:%SZ) from $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
} > "$OUT/BUNDLE.txt"
(cd "$OUT" && find . -type f ! -name SHA256SUMS | sort | xargs sha256sum > SHA256SUMS)

if [ "$TAR" = 1 ]; then
  tar -C "$(dirname "$OUT")" -cf "$OUT.tar" "$(basename "$OUT")"
  echo "   $OUT.tar"
fi
echo "== 完成 / done: $(du -sh "$OUT" | cut -f1), $(ls "$OUT/wheels" | wc -l) wheels, $(( $(date +%s) - START )) s"
