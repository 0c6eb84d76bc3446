#!/usr/bin/env bash
# Set up zhixiao on a fresh machine: OS packages (CJK fonts, LibreOffice, Chromium, poppler), a venv
# with the pinned Python packages, and the package itself. Safe to run again; skips what is there.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v soffice >/dev/null 2>&1 || need_apt+=(libreoffice-writer-nogui)
# Impress renders the meeting slides (.pptx) to PNG/PDF; the Writer package alone cannot open them
dpkg-query -W -f='${Status}\n' libreoffice-impress-nogui libreoffice-impress 2>/dev/null | grep -q "ok installed" \
  || need_apt+=(libreoffice-impress-nogui)
command -v pdftoppm >/dev/null 2>&1 || need_apt+=(poppler-utils)
fc-list 2>/dev/null | grep -qi "Noto Serif CJK" || need_apt+=(fonts-noto-cjk fontconfig)
# faces standing in for the GB/T 9704 fonts the briefing names (deploy/fontconfig/65-zhixiao-gongwen.conf)
fc-list 2>/dev/null | grep -qi "LXGW WenKai" || need_apt+=(fonts-lxgw-wenkai)
fc-list 2>/dev/null | grep -qi "AR PL UKai" || need_apt+=(fonts-arphic-ukai)
# Times New Roman (the .docx's Latin face for digits and letters): Liberation Serif has its metrics, so the PDF
# keeps the line breaks Word makes; without it LibreOffice falls back to DejaVu Serif (wider)
fc-list 2>/dev/null | grep -qi "Liberation Serif" || need_apt+=(fonts-liberation2)
command -v java >/dev/null 2>&1 || need_apt+=(default-jre-headless)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "== 安装系统软件包 / installing OS packages: ${need_apt[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  else
    echo "== 提示：缺少系统软件包 ${need_apt[*]}（需 root 用 apt-get 安装）；相关功能将给出说明 / missing OS packages" >&2
  fi
fi

if [ "$(id -u)" = 0 ] && [ -d /etc/fonts/conf.d ] && \
   ! cmp -s deploy/fontconfig/65-zhixiao-gongwen.conf /etc/fonts/conf.d/65-zhixiao-gongwen.conf; then
  echo "== 安装公文字体别名 / installing the official-document font aliases"
  install -m 644 deploy/fontconfig/65-zhixiao-gongwen.conf /etc/fonts/conf.d/ && fc-cache -f >/dev/null
fi

PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -r requirements.lock
.venv/bin/python -m pip install -q --no-deps -e .
echo "== zhixiao 已安装 / installed: $(.venv/bin/zhixiao --help >/dev/null && echo ok)"
