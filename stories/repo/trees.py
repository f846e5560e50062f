"""A new tree from an old one with a few files put in, by git itself: ``git ls-tree`` and ``git mktree``.

Only the folders on the way to each path are listed (one ``ls-tree`` call
for all of them) and written again (one ``mktree`` per folder, which sorts
and checks the entries as git does), so the cost does not grow with the
number of stories in other folders.
"""

from __future__ import annotations

from stories.repo.handle import GitHandle, RepoError

FILE_MODE = "100644"
TREE_MODE = "040000"


def _folders(paths: list[str]) -> list[str]:
    """Every folder on the way to these paths, the root ("") first, parents before children."""
    found = {""}
    for path in paths:
        parts = path.split("/")[:-1]
        for depth in range(1, len(parts) + 1):
            found.add("/".join(parts[:depth]))
    return sorted(found, key=lambda folder: (folder.count("/") + bool(folder), folder))


def put_files(git: GitHandle, tree: str | None, files: dict[str, str]) -> str:
    """The id of ``tree`` (None: an empty one) with these files (path -> blob id) put in."""
    folders = _folders(list(files))
    # What each folder holds now: name -> (mode, type, id). A folder on the way is
    # listed by its contents (the trailing "/"), so its own entry is rebuilt below.
    entries: dict[str, dict[str, tuple[str, str, str]]] = {folder: {} for folder in folders}
    if tree is not None:
        specs = ["./"] + [f"{folder}/" for folder in folders if folder]
        listing = git.run("--literal-pathspecs", "ls-tree", "-z", "--full-tree", tree, "--", *specs)
        if listing.returncode != 0:
            raise RepoError(f"the tree {tree} cannot be read ({listing.stderr.strip()}): run git fsck in the content repo")
        for record in listing.stdout.split("\0"):
            if not record:
                continue
            meta, _, path = record.partition("\t")
            mode, kind, sha = meta.split()
            folder, _, name = path.rpartition("/")
            if folder in entries:
                entries[folder][name] = (mode, kind, sha)
    for path, blob in files.items():
        folder, _, name = path.rpartition("/")
        current = entries[folder].get(name)
        if current is not None and current[1] == "tree" or path in entries:
            raise RepoError(f"{path} is a folder in the content repo where a file is needed")
        entries[folder][name] = (FILE_MODE, "blob", blob)
    written: dict[str, str] = {}
    for folder in reversed(folders):  # children before parents
        held = entries[folder]
        for child, sha in written.items():
            parent, _, name = child.rpartition("/")
            if parent == folder:
                current = held.get(name)
                if current is not None and current[1] != "tree":
                    raise RepoError(f"{child} is a file in the content repo where a folder is needed")
                held[name] = (TREE_MODE, "tree", sha)
        text = "".join(f"{mode} {kind} {sha}\t{name}\0" for name, (mode, kind, sha) in held.items())
        written[folder] = git.must("mktree", "-z", input=text, what="writing the story's folders").strip()
    return written[""]
