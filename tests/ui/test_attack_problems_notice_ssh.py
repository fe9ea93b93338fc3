"""Issue 21, item 9h over a real sshd: a viewer's start-up notices name no server path."""

from __future__ import annotations

from test_ssh import Studio, quit_app, studio  # noqa: F401  (studio is a fixture)


def test_a_viewer_over_ssh_sees_a_damaged_store_by_its_name_only(
    studio: Studio,  # noqa: F811
) -> None:
    (studio.root / "curation.toml").write_text("[photos\n", encoding="utf-8")
    client = studio.client(studio.viewer_key)
    try:
        assert client.wait_for("curation.toml", timeout=15), client.text()[-3000:]
        text = client.text()
        quit_app(client)
    finally:
        client.close()
    assert "curation.toml:1:" in text, text[-3000:]
    assert "pytest" not in text and "/tmp" not in text, text[-3000:]
