"""The Markdown subset of activity texts."""

from activities.markdown import parse_blocks, render_html


def test_paragraphs_and_line_breaks():
    html = render_html("Un.\nDeux.\n\nTrois.")
    assert html == "<p>Un.<br>Deux.</p><p>Trois.</p>"


def test_bulleted_and_numbered_lists():
    assert render_html("- a\n- b") == "<ul><li>a</li><li>b</li></ul>"
    assert render_html("1. a\n2. b") == "<ol><li>a</li><li>b</li></ol>"


def test_bold_and_italic():
    assert render_html("un **mot** et *un autre*") == (
        "<p>un <strong>mot</strong> et <em>un autre</em></p>"
    )


def test_html_escaped():
    assert render_html("<script>x</script> & 3 < 4") == (
        "<p>&lt;script&gt;x&lt;/script&gt; &amp; 3 &lt; 4</p>"
    )


def test_mixed_lines_stay_paragraph():
    [block] = parse_blocks("- a\nb")
    assert block.kind == "paragraph"


def test_multiplication_star_kept():
    assert render_html("2 * 3 = 6") == "<p>2 * 3 = 6</p>"
