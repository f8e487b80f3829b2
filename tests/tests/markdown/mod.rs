//! Reading Markdown the way the README and guide tests need it: fenced code blocks by
//! language, link targets and heading anchors.

/// The code blocks of a Markdown text fenced as ```` ```language ````, each with its final
/// newline.
pub fn code_blocks(markdown: &str, language: &str) -> Vec<String> {
    let fence = format!("```{language}");
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match (&mut current, line.trim_end()) {
            (None, open) if open == fence => current = Some(String::new()),
            (Some(block), "```") => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            (Some(block), _) => {
                block.push_str(line);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
}

/// The targets of the Markdown links `[text](target)` of a text.
#[allow(dead_code)] // used by the README test, not the guide test
pub fn link_targets(markdown: &str) -> Vec<&str> {
    markdown
        .match_indices("](")
        .filter_map(|(at, _)| {
            let rest = &markdown[at + 2..];
            rest.find(')').map(|end| &rest[..end])
        })
        .collect()
}

/// The anchors GitHub gives a text's headings: lower case, spaces as `-`, punctuation other
/// than `-` and `_` dropped (`## In the IIS host, under wine` → `in-the-iis-host-under-wine`).
#[allow(dead_code)] // used by the README test, not the guide test
pub fn heading_anchors(markdown: &str) -> Vec<String> {
    let mut in_code = false;
    let mut anchors = Vec::new();
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
        } else if let (false, Some(heading)) = (in_code, line.strip_prefix('#')) {
            let text = heading.trim_start_matches('#').trim();
            let anchor = text
                .to_lowercase()
                .chars()
                .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
                .map(|c| if c == ' ' { '-' } else { c })
                .collect();
            anchors.push(anchor);
        }
    }
    anchors
}
