"""The trust list: the certificates whose signatures make credentials *trusted*.

The package ships a copy of the official C2PA trust list (``trust_list/C2PA-TRUST-LIST.pem``,
with ``trust_list/SOURCE`` naming where and when it was taken). ``portfolio-tui trust update
FILE`` installs a newer list for the user, in ``user_config_dir("portfolio-tui")/trust/``
(``$XDG_CONFIG_HOME/portfolio-tui/trust`` on Linux), as one file whose first lines record
where it came from and when; ``trust reset`` removes it. :func:`trust_list` is the list in
use: the user's copy if there is a good one, else the shipped one. Nothing is ever
fetched: machines may be offline, and a list that changes on its own cannot be reviewed.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

__all__ = [
    "LIST_NAME",
    "SHIPPED_PEM",
    "TrustList",
    "TrustListError",
    "certificates",
    "install_trust_list",
    "remove_trust_list",
    "shipped_trust_list",
    "subject_of",
    "trust_list",
    "user_trust_path",
]

APP_NAME: Final = "portfolio-tui"
LIST_NAME: Final = "C2PA-TRUST-LIST.pem"
SHIPPED_DIR: Final = Path(__file__).resolve().parent / "trust_list"
SHIPPED_PEM: Final = SHIPPED_DIR / LIST_NAME
SHIPPED_SOURCE: Final = SHIPPED_DIR / "SOURCE"
MAX_LIST_BYTES: Final = 4 * 1024 * 1024
"""A trust list larger than this is not one (the official list is about 40 KB)."""
RECORD_PREFIX: Final = "# portfolio-tui "
"""Lines the user's copy begins with: where it came from and when (PEM readers skip them)."""

_PEM_BLOCK = re.compile(
    r"-----BEGIN CERTIFICATE-----\s*(.*?)\s*-----END CERTIFICATE-----", re.DOTALL
)


class TrustListError(ValueError):
    """A file is not a usable trust list (the message says why, without the file's name)."""


@dataclass(frozen=True)
class TrustList:
    """A trust list: its PEM text and where it came from."""

    pem: str
    count: int
    """How many certificates it holds."""
    source: str
    """Where it came from: the repository and path, or the file ``trust update`` was given."""
    date: str
    """The list's date (shipped), or when ``trust update`` installed it (``... HH:MM UTC``)."""
    path: Path
    """The file read."""
    shipped: bool = True
    """The copy in the package (False: the user's, from ``trust update``)."""
    details: tuple[tuple[str, str], ...] = ()
    """Other recorded facts (commit, licence, sha256), in file order."""
    problem: str | None = None
    """Why the user's copy is not in use (unreadable, no certificates), if there is one."""
    key: str = field(default="", compare=False)
    """A digest of :attr:`pem`: equal lists, equal keys (caches of verifications use it)."""

    @property
    def subjects(self) -> tuple[str, ...]:
        """Each certificate's subject (``CN=..., O=..., C=US``), in file order."""
        return tuple(subject_of(der) for der in certificates(self.pem))


def certificates(pem: str) -> list[bytes]:
    """The DER of each ``CERTIFICATE`` block in ``pem``; text around the blocks is ignored.

    Raises :class:`TrustListError` when there is none, or one is not a certificate.
    """
    found: list[bytes] = []
    for number, match in enumerate(_PEM_BLOCK.finditer(pem), 1):
        try:
            der = base64.b64decode("".join(match.group(1).split()), validate=True)
        except (binascii.Error, ValueError):
            raise TrustListError(f"certificate {number} is not valid base64") from None
        try:
            subject_of(der)
        except (IndexError, ValueError):
            raise TrustListError(f"certificate {number} is not an X.509 certificate") from None
        found.append(der)
    if not found:
        raise TrustListError(
            "no certificate in it (a trust list is PEM text: -----BEGIN CERTIFICATE----- blocks)"
        )
    return found


# --- The subject of a certificate, from its DER (no X.509 library needed) ---

_NAMES = {
    "2.5.4.3": "CN",
    "2.5.4.6": "C",
    "2.5.4.7": "L",
    "2.5.4.8": "ST",
    "2.5.4.10": "O",
    "2.5.4.11": "OU",
    "1.2.840.113549.1.9.1": "emailAddress",
}
_ORDER = {name: i for i, name in enumerate(("emailAddress", "CN", "OU", "O", "L", "ST", "C"))}
"""Most specific first, whatever order the certificate stores them in."""


def _tlv(data: bytes, at: int) -> tuple[int, int, int]:
    """(tag, start of content, end of content) of the DER element at ``at``."""
    tag = data[at]
    length = data[at + 1]
    start = at + 2
    if length & 0x80:
        n = length & 0x7F
        if n == 0 or n > 4:
            raise ValueError("unsupported DER length")
        length = int.from_bytes(data[start : start + n], "big")
        start += n
    end = start + length
    if end > len(data):
        raise ValueError("DER element runs past the end")
    return tag, start, end


def _children(data: bytes, start: int, end: int) -> list[tuple[int, int, int]]:
    items = []
    while start < end:
        item = _tlv(data, start)
        items.append(item)
        start = item[2]
    return items


def _oid(raw: bytes) -> str:
    if not raw:
        raise ValueError("empty OID")
    parts = [raw[0] // 40, raw[0] % 40]
    value = 0
    for byte in raw[1:]:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            parts.append(value)
            value = 0
    return ".".join(map(str, parts))


def subject_of(der: bytes) -> str:
    """The certificate's subject, most specific first (``CN=..., O=..., C=US``), as the
    official list's ``Subject`` lines give it.

    Raises ValueError (or IndexError) when ``der`` is not an X.509 certificate.
    """
    tag, start, end = _tlv(der, 0)
    if tag != 0x30 or end != len(der):
        raise ValueError("not a DER SEQUENCE")
    parts = _children(der, start, end)  # tbsCertificate, signatureAlgorithm, signature
    if len(parts) != 3 or parts[0][0] != 0x30:
        raise ValueError("not a certificate")
    fields = _children(der, parts[0][1], parts[0][2])
    if fields and fields[0][0] == 0xA0:  # [0] version
        fields = fields[1:]
    # serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo, ...
    if len(fields) < 6 or fields[0][0] != 0x02 or fields[4][0] != 0x30:
        raise ValueError("not a certificate")
    names: list[str] = []
    for set_tag, set_start, set_end in _children(der, fields[4][1], fields[4][2]):
        if set_tag != 0x31:
            raise ValueError("bad name")
        for _seq, seq_start, seq_end in _children(der, set_start, set_end):
            oid_item, value_item = _children(der, seq_start, seq_end)[:2]
            oid = _oid(der[oid_item[1] : oid_item[2]])
            raw = der[value_item[1] : value_item[2]]
            text = (
                raw.decode("utf-16-be", "replace")
                if value_item[0] == 0x1E
                else raw.decode("utf-8", "replace")
            )
            names.append(f"{_NAMES.get(oid, oid)}={text}")
    names.reverse()  # DER lists the country first, usually
    return ", ".join(sorted(names, key=lambda name: _ORDER.get(name.split("=", 1)[0], 99)))


# --- The lists ---


def _record(text: str, prefix: str) -> tuple[tuple[str, str], ...]:
    """``key: value`` lines (after ``prefix``), the first of each key; other lines are skipped.

    The first wins: a list installed from a copy ``trust update`` made keeps the new record.
    """
    pairs: dict[str, str] = {}
    for line in text.splitlines():
        if not line.startswith(prefix):
            continue
        key, sep, value = line[len(prefix) :].partition(":")
        if sep and key.strip() and " " not in key.strip():
            pairs.setdefault(key.strip(), value.strip())
    return tuple(pairs.items())


def _digest(pem: str) -> str:
    return hashlib.sha256(pem.encode("utf-8", "surrogateescape")).hexdigest()


def _make(pem: str, path: Path, record: tuple[tuple[str, str], ...], shipped: bool) -> TrustList:
    facts = dict(record)
    return TrustList(
        pem=pem,
        count=len(certificates(pem)),
        source=facts.get("source", str(path)),
        date=facts.get("date", "unknown"),
        path=path,
        shipped=shipped,
        details=tuple((k, v) for k, v in record if k not in ("source", "date")),
        key=_digest(pem),
    )


_lock = threading.Lock()
_shipped: TrustList | None = None
_user: dict[tuple[str, int, int], TrustList] = {}


def shipped_trust_list() -> TrustList:
    """The copy of the official C2PA trust list in the package (read once)."""
    global _shipped
    with _lock:
        if _shipped is None:
            pem = SHIPPED_PEM.read_text(encoding="utf-8")
            record = _record(SHIPPED_SOURCE.read_text(encoding="utf-8"), "")
            _shipped = _make(pem, SHIPPED_PEM, record, shipped=True)
        return _shipped


def user_trust_path() -> Path:
    """Where ``trust update`` puts the user's list (it may not exist)."""
    from platformdirs import user_config_dir

    return Path(user_config_dir(APP_NAME, appauthor=False)) / "trust" / LIST_NAME


def trust_list() -> TrustList:
    """The list in use: the user's copy (``trust update``) if it is good, else the shipped one.

    Never raises for a bad user copy: the shipped list is used, and its
    :attr:`TrustList.problem` says why the user's is not.
    """
    path = user_trust_path()
    try:
        info = path.stat()
    except OSError:
        return shipped_trust_list()
    key = (str(path), info.st_size, info.st_mtime_ns)
    with _lock:
        cached = _user.get(key)
    if cached is not None:
        return cached
    try:
        from ..files import read_regular

        pem = read_regular(path, MAX_LIST_BYTES).decode("utf-8", "surrogateescape")
        found = _make(pem, path, _record(pem, RECORD_PREFIX), shipped=False)
    except (OSError, TrustListError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        shipped = shipped_trust_list()
        found = TrustList(
            shipped.pem,
            shipped.count,
            shipped.source,
            shipped.date,
            shipped.path,
            shipped=True,
            details=shipped.details,
            problem=f"{path}: {reason}; the shipped list is in use",
            key=shipped.key,
        )
    with _lock:
        _user.clear()  # one user copy at a time
        _user[key] = found
    return found


def install_trust_list(source: Path, *, now: dt.datetime | None = None) -> TrustList:
    """Check ``source`` (PEM, one or more certificates) and install it as the user's list.

    The copy begins with lines recording ``source`` and the time, and is written
    atomically: the list in use is the old one or the new one, never half of one.
    Raises :class:`TrustListError` for a file that is not a trust list, OSError when
    it cannot be read or the copy cannot be written.
    """
    from ..files import read_regular, write_atomically

    raw = read_regular(source, MAX_LIST_BYTES)
    try:
        pem = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise TrustListError("not text (a trust list is PEM text)") from None
    count = len(certificates(pem))
    when = (now or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc)
    where = str(source.expanduser().resolve())
    if "\n" in where or "\r" in where:
        where = repr(where)
    header = "".join(
        f"{RECORD_PREFIX}{key}: {value}\n"
        for key, value in (
            ("source", where),
            ("date", when.strftime("%Y-%m-%d %H:%M UTC")),
            ("certificates", str(count)),
            ("sha256", _digest(pem)),
        )
    )
    target = user_trust_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(target, header + pem)
    return trust_list()


def remove_trust_list() -> Path | None:
    """Remove the user's list (the shipped one is then in use); the path removed, or None."""
    path = user_trust_path()
    try:
        path.unlink()
    except FileNotFoundError:
        return None
    return path
