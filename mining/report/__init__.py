"""Words and pictures of the results: sentences, maps, Markdown and HTML pages (Jinja templates in
templates/). Takes results from scope/, discovery/, design/ and pilot/; never reads the store.

content.py: what the report shows (Analysis); report.py, mining_report.py, sections.py: the pages;
findings.py and designed_section.py: the bottleneck findings and the designed-versus-actual section;
pilot_wording.py, pilot_comparability.py, pilot_view.py, pilot_output.py, difference_map.py: the pilot in
words and its difference map; process_map.py, designed_map.py, process_model_drawing.py: the maps (Graphviz, every
label escaped by graphviz_text.py); formatting.py, markdown_table.py, visible_text.py, run_summary.py:
durations, tables and text as the pages show them; provenance_words.py: what an output was made from;
explorer_map.py: the explorer's maps (`journey explore`).
"""

# the public modules; import them by name (no eager imports: a package stays cheap to enter)
__all__ = [
    "content",
    "designed_map",
    "designed_section",
    "difference_map",
    "explorer_map",
    "findings",
    "formatting",
    "graphviz_text",
    "html_templates",
    "markdown_table",
    "mining_report",
    "pilot_comparability",
    "pilot_output",
    "pilot_view",
    "pilot_wording",
    "process_map",
    "process_model_drawing",
    "provenance_words",
    "report",
    "run_summary",
    "sections",
    "visible_text",
]
