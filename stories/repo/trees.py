"""A new tree from an old one with a few files put in, read and written with GitPython's tree functions.

Only the trees on the way to each path are read and rewritten
(``git.objects.fun.tree_entries_from_data`` and ``tree_to_stream``), so the
cost does not grow with the number of other stories.
"""

from __future__ import annotations

import io
from stat import S_ISDIR

from stories.repo.handle import GitHandle, RepoError

FILE_MODE = 0o100644
TREE_MODE = 0o040000


def git_order(entry: tuple[bytes, int, str]) -> bytes:
    """git's order of tree entries: by name bytes, as if every folder name ended with "/"."""
    _, mode, name = entry
    raw = name.encode("utf-8", "surrogateescape")
    return raw + b"/" if S_ISDIR(mode) else raw


def put_files(git: GitHandle, tree: str | None, files: dict[str, str]) -> str:
    """The id of ``tree`` (None: an empty one) with these files (path -> blob id) put in."""
    return _put(git, tree, {tuple(path.split("/")): blob for path, blob in files.items()})


def _put(git: GitHandle, tree: str | None, changes: dict[tuple[str, ...], str]) -> str:
    from git.objects.fun import tree_entries_from_data, tree_to_stream

    entries: list[tuple[bytes, int, str]] = []
    if tree is not None:
        found = git.object(tree)
        if found is None or found[1] != "tree":
            raise RepoError(f"the tree {tree} cannot be read: run git fsck in the content repo")
        try:
            entries = tree_entries_from_data(found[2])
        except ValueError as exc:
            raise RepoError(f"the tree {tree} holds a name git would refuse ({exc}): run git fsck in the content repo") from None
    by_name = {name: (sha, mode) for sha, mode, name in entries}
    groups: dict[str, dict[tuple[str, ...], str]] = {}
    for parts, blob in changes.items():
        groups.setdefault(parts[0], {})[parts[1:]] = blob
    for name, inner in groups.items():
        current = by_name.get(name)
        if () in inner:
            if current is not None and S_ISDIR(current[1]):
                raise RepoError(f"{name} is a folder in the content repo where a file is needed")
            by_name[name] = (bytes.fromhex(inner[()]), FILE_MODE)
            continue
        if current is not None and not S_ISDIR(current[1]):
            raise RepoError(f"{name} is a file in the content repo where a folder is needed")
        sub = _put(git, current[0].hex() if current else None, inner)
        by_name[name] = (bytes.fromhex(sub), TREE_MODE)
    ordered = sorted(((sha, mode, name) for name, (sha, mode) in by_name.items()), key=git_order)
    data = io.BytesIO()
    tree_to_stream(ordered, data.write)
    return git.write_object("tree", data.getvalue())
