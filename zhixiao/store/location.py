"""Where the case store's files live: the data directory (the default), or a base URI — ``s3://bucket/prefix``
(S3-compatible object storage, ``?endpoint_override=…`` for a court's own server) or ``hdfs://namenode/path`` —
read and written through ``pyarrow.fs``. The manifest lists paths relative to this base, so a store can be
copied between a shared mount and object storage without rewriting it.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pyarrow.fs as pafs

from zhixiao.errors import UserError

SCHEMES = ("s3", "hdfs", "viewfs")


@dataclass(frozen=True)
class Location:
    fs: pafs.FileSystem
    base: str  # the store's root inside ``fs``, without a trailing slash
    uri: str | None = None  # the base URI as configured; None: a local (or shared-mount) directory

    @property
    def local(self) -> bool:
        return self.uri is None

    @property
    def scheme(self) -> str:
        return urlsplit(self.uri).scheme if self.uri else "file"

    @property
    def endpoint(self) -> str | None:
        """The S3 endpoint the URI names (``endpoint_override``), None for AWS itself or another scheme."""
        return parse_qs(urlsplit(self.uri).query).get("endpoint_override", [None])[0] if self.uri else None

    @property
    def shown(self) -> str:
        """Where the store is, for a person to read: the URI without its query string, which may carry access keys."""
        return self.base if self.uri is None else self.uri.split("?", 1)[0]

    def path(self, rel: str) -> str:
        return f"{self.base}/{rel}"

    def uri_of(self, rel: str) -> str:
        """``rel`` as a URI a Spark cluster reads (the query string, pyarrow's options, left off)."""
        if self.uri is None:
            return self.path(rel)
        parts = urlsplit(self.uri)
        # Hadoop reads S3 through the s3a connector (hadoop-aws), which has its own scheme
        scheme = "s3a" if parts.scheme == "s3" else parts.scheme
        return f"{scheme}://{parts.netloc}{parts.path.rstrip('/')}/{rel}"

    def exists(self, rel: str) -> bool:
        return self.fs.get_file_info(self.path(rel)).type == pafs.FileType.File

    def read_text(self, rel: str) -> str:
        with self.fs.open_input_stream(self.path(rel)) as fh:
            return fh.read().decode("utf-8")

    def write_atomic(self, rel: str, text: str) -> None:
        """Replace ``rel`` so that a reader sees the old or the new content, never a part."""
        data = text.encode("utf-8")
        if self.local:
            target = Path(self.path(rel))
            tmp = target.with_suffix(f".tmp-{uuid.uuid4().hex[:8]}")
            tmp.write_bytes(data)
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        elif self.scheme == "s3":
            # one PUT: S3 makes an object visible whole, and a rename there would be a copy and a delete
            with self.fs.open_output_stream(self.path(rel)) as fh:
                fh.write(data)
        else:
            tmp = self.path(f"{rel}.tmp-{uuid.uuid4().hex[:8]}")
            with self.fs.open_output_stream(tmp) as fh:
                fh.write(data)
            self.fs.move(tmp, self.path(rel))  # HDFS: a rename replacing the old file (pyarrow's move contract)

    def make_parent(self, rel: str) -> None:
        self.fs.create_dir(self.path(rel).rsplit("/", 1)[0], recursive=True)

    def delete(self, rel: str) -> None:
        info = self.fs.get_file_info(self.path(rel))
        if info.type == pafs.FileType.File:
            self.fs.delete_file(info.path)

    def listing(self, rel_dir: str) -> list[tuple[str, datetime | None]]:
        """Every file under ``rel_dir``: (path relative to the base, last modified)."""
        sel = pafs.FileSelector(self.path(rel_dir), recursive=True, allow_not_found=True)
        cut = len(self.base) + 1
        return [(i.path[cut:], i.mtime) for i in self.fs.get_file_info(sel) if i.type == pafs.FileType.File]


def locate(data_dir: Path, uri: str | None) -> Location:
    """The data directory itself unless a base URI is configured (``store_uri`` / ``ZHIXIAO_STORE_URI``)."""
    if not uri:
        return Location(pafs.LocalFileSystem(), str(Path(data_dir).absolute()))
    scheme = urlsplit(uri).scheme
    if scheme not in SCHEMES:
        raise UserError(f"案件数据位置 {uri} 的协议 {scheme or '（无）'} 不受支持：可用 s3://桶/前缀（对象存储，"
                        "自建服务加 ?endpoint_override=http://主机:端口）、hdfs://名称节点/路径，或不设置（用数据目录）。")
    try:
        fs, base = pafs.FileSystem.from_uri(uri)
    except (OSError, ValueError) as exc:  # pyarrow's own words (no HDFS client library, a bad option …) in ours
        raise UserError(f"无法打开案件数据位置 {uri}：{exc}") from None
    return Location(fs, base.rstrip("/"), uri)
