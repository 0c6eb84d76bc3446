#!/usr/bin/env bash
# 离线安装 zhixiao（法院内网，无需任何软件源）：从本目录 wheels/ 安装到虚拟环境。
# Offline install from this bundle's wheels/ into a virtualenv; no network is used.
#
# 用法 / usage: ./install.sh [--venv DIR] [--no-fonts]
#   --venv DIR   虚拟环境位置（默认 /opt/zhixiao/venv）/ where the virtualenv goes
#   --no-fonts   不安装公文字体别名 / skip the fontconfig aliases
# 系统软件包（需从内网 Debian 镜像安装）：python3 python3-venv fonts-noto-cjk fonts-lxgw-wenkai fonts-arphic-ukai fonts-liberation2 fontconfig
# libreoffice-writer-nogui（PDF）libreoffice-impress-nogui（幻灯片预览）default-jre-headless（Spark）。缺哪个、影响什么，见 zhixiao doctor。
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
VENV=/opt/zhixiao/venv
FONTS=1
while [ $# -gt 0 ]; do
  case "$1" in
    --venv) VENV=${2:?"--venv 需要一个目录"}; shift 2 ;;
    --no-fonts) FONTS=0; shift ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "错误：不认识的参数 $1；用法：./install.sh [--venv 目录] [--no-fonts]" >&2; exit 1 ;;
  esac
done
PY=${PYTHON:-python3}
command -v "$PY" >/dev/null || { echo "错误：找不到 $PY；请先安装 python3 与 python3-venv（Debian 12 自带 3.11）。" >&2; exit 1; }
HAVE=$("$PY" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
grep -q "^python:.*\b$HAVE\b" "$HERE/BUNDLE.txt" || {
  echo "错误：本安装包只含 Python $(sed -n 's/^python: //p' "$HERE/BUNDLE.txt") 的二进制包，而 $PY 是 $HAVE；" \
       "请用 PYTHON=/usr/bin/python3.11 ./install.sh，或在构建时设置 PYTHON_VERSIONS。" >&2; exit 1; }
(cd "$HERE" && sha256sum --quiet -c SHA256SUMS) || { echo "错误：安装包文件校验失败（SHA256SUMS），请重新拷贝安装包。" >&2; exit 1; }

[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
# Only this bundle: no index, no pip configuration file or environment pointing elsewhere.
env -u PIP_FIND_LINKS -u PIP_INDEX_URL -u PIP_EXTRA_INDEX_URL -u PIP_CONSTRAINT PIP_CONFIG_FILE=/dev/null \
  "$VENV/bin/python" -m pip install -q --no-index --disable-pip-version-check \
  --find-links "$HERE/wheels" -r "$HERE/requirements.txt"

if [ "$FONTS" = 1 ]; then
  if [ "$(id -u)" = 0 ] && [ -d /etc/fonts/conf.d ]; then
    install -m 644 "$HERE"/fontconfig/*.conf /etc/fonts/conf.d/
    command -v fc-cache >/dev/null && fc-cache -f >/dev/null
  else
    echo "提示：非 root 或未装 fontconfig，未安装公文字体别名；可手工复制 fontconfig/*.conf 到 /etc/fonts/conf.d/。"
  fi
fi
echo "== zhixiao 已安装到 $VENV / installed: $("$VENV/bin/zhixiao" --help >/dev/null && echo ok)"
echo "   下一步：$VENV/bin/zhixiao doctor --data-dir <数据目录>  检查字体、LibreOffice、Java、数据库与日历。"
