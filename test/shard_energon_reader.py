"""Read a codectok dataset back the way Megatron-Energon does, without Energon installed.

- `.nv-meta/.info.json` must have exactly the keys of Energon's WebdatasetInfo
  (its JsonParser is strict); `split.yaml` is read with PyYAML when present.
- Each sample is located through `<shard>.tar.idx` (uint64 offsets, count + 1 of them)
  and read with a tarfile subclass that seeks like Energon's ITarFile, grouping members
  with Energon's split_name_re / skip_meta_re.
- The tar files are also indexed independently with Python's tarfile, exactly as
  `energon prepare` does (member.offset, member.offset_data, tar.offset), and the result
  is compared with `.tar.idx` and with `index.sqlite` (opened read-only/immutable like
  Energon's SqliteIndexReader).

Prints one JSON document: per sample its key and, per part, dtype/shape/sha256 of the
array numpy decoded (npy parts), the parsed JSON (json parts) or the sha256 of the bytes.
"""
import hashlib
import io
import json
import os
import re
import sqlite3
import struct
import sys
import tarfile

import numpy as np

try:
    import yaml
except ImportError:  # pragma: no cover
    yaml = None

split_name_re = re.compile(r"^((?:.*/|)[^.]+)[.]([^/]*)$")
skip_meta_re = re.compile(r"__[^/]*__($|/)")


class ITarFile(tarfile.TarFile):
    def __init__(self, *args, **kwargs):
        self.in_init = True
        try:
            super().__init__(*args, **kwargs)
        finally:
            self.in_init = False

    def next(self):
        if self.in_init:
            return None
        if self.offset != self.fileobj.tell():
            self.fileobj.seek(self.offset)
        return super().next()


def sha(b):
    return hashlib.sha256(b).hexdigest()


def describe(ext, data):
    if ext == "npy" or ext.endswith(".npy"):
        a = np.load(io.BytesIO(data), allow_pickle=False)
        return {"dtype": str(a.dtype), "shape": list(a.shape), "sha256": sha(np.ascontiguousarray(a).tobytes())}
    if ext == "json" or ext.endswith(".json"):
        return {"json": json.loads(data)}
    return {"sha256": sha(data)}


def prepare_index(path):
    """energon prepare's _preprocess_tar: offsets for .tar.idx and the sqlite rows."""
    offsets, samples, parts = [], [], []
    with open(path, "rb") as f, tarfile.open(fileobj=f, mode="r:*") as tar:
        last = None
        count = 0
        cur = None
        for member in tar:
            if not member.isreg() or member.name is None or skip_meta_re.match(member.name):
                continue
            m = split_name_re.match(member.name)
            if m is None:
                continue
            base = m.group(1)
            if last != base:
                offsets.append(member.offset)
                if cur is not None:
                    cur["byte_size"] = member.offset - cur["byte_offset"]
                    samples.append(cur)
                cur = {"sample_key": base, "sample_index": count, "byte_offset": member.offset}
                last = base
                count += 1
            parts.append({"sample_index": count - 1, "part_name": m.group(2),
                          "content_byte_offset": member.offset_data, "content_byte_size": member.size})
        offsets.append(tar.offset)
        if cur is not None:
            cur["byte_size"] = tar.offset - cur["byte_offset"]
            samples.append(cur)
    return offsets, samples, parts


def main(root):
    meta = os.path.join(root, ".nv-meta")
    with open(os.path.join(meta, ".info.json")) as f:
        info = json.load(f)
    assert set(info.keys()) == {"energon_version", "shard_counts"}, info.keys()
    splits = None
    if yaml is not None:
        with open(os.path.join(meta, "split.yaml")) as f:
            splits = yaml.safe_load(f)
        with open(os.path.join(meta, "dataset.yaml")) as f:
            dataset = yaml.safe_load(f)
    else:
        dataset = None
    out = {"info": info, "splits": splits, "dataset": dataset, "samples": [], "checks": []}
    names = list(info["shard_counts"].keys())
    expect_samples, expect_parts = [], []
    for tar_file_id, name in enumerate(names):
        count = info["shard_counts"][name]
        path = os.path.join(root, name)
        idx_path = path[: -len(".tar")] + ".tar.idx"  # EPath.with_suffix(".tar.idx")
        with open(idx_path, "rb") as f:
            raw = f.read()
        offsets = list(struct.unpack("<%dQ" % (len(raw) // 8), raw))
        assert len(offsets) == count + 1, (name, len(offsets), count)
        p_offsets, p_samples, p_parts = prepare_index(path)
        assert p_offsets == offsets, (name, p_offsets, offsets)
        out["checks"].append("idx-matches-prepare:" + name)
        for s in p_samples:
            expect_samples.append((tar_file_id, s["sample_key"], s["sample_index"], s["byte_offset"], s["byte_size"]))
        for p in p_parts:
            expect_parts.append((tar_file_id, p["sample_index"], p["part_name"], p["content_byte_offset"], p["content_byte_size"]))
        with open(path, "rb") as f:
            tf = ITarFile.open(fileobj=f, mode="r:")
            for i in range(count):
                start = 0 if i == 0 else offsets[i]
                end = offsets[i + 1]
                tf.offset = start
                key = None
                parts = {}
                while tf.offset < end:
                    ti = tf.next()
                    assert ti is not None, "unexpected end of tar"
                    if not ti.isfile() or ti.name is None or skip_meta_re.match(ti.name):
                        continue
                    m = split_name_re.match(ti.name)
                    if not m:
                        continue
                    base, ext = m.groups()
                    if key is None:
                        key = base
                    assert key == base, ("inconsistent base name", key, base)
                    parts[ext] = describe(ext, tf.extractfile(ti).read())
                out["samples"].append({"shard": name, "index": i, "key": key, "parts": parts})
    db_path = os.path.join(meta, "index.sqlite")
    if os.path.exists(db_path):
        db = sqlite3.connect("file:%s?mode=ro&immutable=1" % db_path, uri=True)
        got_s = db.execute("SELECT tar_file_id, sample_key, sample_index, byte_offset, byte_size FROM samples ORDER BY tar_file_id, sample_index").fetchall()
        got_p = db.execute("SELECT tar_file_id, sample_index, part_name, content_byte_offset, content_byte_size FROM sample_parts ORDER BY tar_file_id, sample_index, content_byte_offset").fetchall()
        assert got_s == expect_samples, ("samples table differs", got_s[:3], expect_samples[:3])
        assert got_p == expect_parts, ("sample_parts table differs", got_p[:3], expect_parts[:3])
        idx_names = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='index'")}
        assert {"idx_samples_sample_key", "idx_samples_by_tar_and_idx", "idx_sample_parts_seq", "idx_sample_parts_full"} <= idx_names, idx_names
        # Energon's SqliteIndexReader.list_all_sample_parts join
        rows = db.execute(
            "SELECT s.sample_key || '.' || sp.part_name AS full_key, sp.content_byte_size AS size, sp.tar_file_id "
            "FROM sample_parts AS sp JOIN samples AS s ON sp.tar_file_id = s.tar_file_id AND sp.sample_index = s.sample_index "
            "ORDER BY sp.tar_file_id, sp.sample_index, sp.content_byte_offset").fetchall()
        assert len(rows) == len(expect_parts)
        db.close()
        out["checks"].append("sqlite-matches-prepare")
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1])
