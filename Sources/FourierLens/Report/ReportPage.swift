import Foundation

/// One self-contained HTML page per run: every chart inline (SVG), a caption under each, tables
/// of the key numbers, and links to the run's CSV and JSON files. No external files; one small
/// inline script (`interaction`) shows each point's, bar's and cell's value on hover and lets a
/// click on a legend entry hide or show its series.
public struct ReportPage: Sendable {
    public enum Section: Sendable {
        case figure(id: String, svg: String, caption: String)
        case table(caption: String, header: [String], rows: [[String]])
        case keyValues(caption: String, pairs: [(String, String)])
        case files([(name: String, description: String)])
        case paragraph(String)
        /// A chart kept in its own file (another report's), shown as an image linking to `href`.
        case linkedImage(src: String, href: String, caption: String)
        /// Another report's chart inline (its hover and legend work here), the caption ending in
        /// a link to that report.
        case linkedFigure(id: String, svg: String, href: String, caption: String, link: String)
        /// Links to other pages, each with a description.
        case links(heading: String, [(href: String, text: String, description: String)])
        case heading(String)
        /// Blocks of monospaced text under their labels, folded under `summary` until opened.
        case preformatted(summary: String, [(label: String, text: String)])
    }

    public var title: String
    public var subtitle: String
    public var sections: [Section]

    public init(title: String, subtitle: String, sections: [Section]) {
        self.title = title; self.subtitle = subtitle; self.sections = sections
    }

    public func html() -> String {
        let e = SVGText.escape
        var out = [
            "<!DOCTYPE html>", "<html lang=\"en\">", "<head>", "<meta charset=\"utf-8\">",
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
            "<title>\(e(title))</title>",
            "<style>",
            "body{font-family:Helvetica,Arial,sans-serif;margin:24px auto;max-width:1000px;color:#222;line-height:1.45;padding:0 16px}",
            "h1{font-size:24px;margin-bottom:4px}.subtitle{color:#555;margin-top:0}",
            "figure{margin:24px 0}figure svg{width:100%;height:auto;border:1px solid #ddd}",
            "figcaption{color:#444;font-size:14px;margin-top:6px}",
            "table{border-collapse:collapse;margin:12px 0 24px;font-size:14px}",
            "th,td{border:1px solid #ccc;padding:4px 10px;text-align:right}th{background:#f3f3f3}",
            "td:first-child,th:first-child{text-align:left}caption{text-align:left;font-weight:bold;padding:6px 0}",
            "pre{font-size:13px;background:#f7f7f7;padding:8px;overflow-x:auto}h3{font-size:15px;margin:14px 0 4px}",
            "#fl-tip{position:absolute;background:#222;color:#fff;font-size:13px;padding:3px 8px;border-radius:3px;pointer-events:none;white-space:nowrap}",
            ".legend-entry{cursor:pointer}.legend-entry.off{opacity:.35}",
            "</style>", "</head>", "<body>",
            "<h1>\(e(title))</h1>", "<p class=\"subtitle\">\(e(subtitle))</p>",
        ]
        for section in sections {
            switch section {
            case let .figure(id, svg, caption):
                out.append("<figure id=\"\(e(id))\">")
                out.append(svg.trimmingCharacters(in: .whitespacesAndNewlines))
                out.append("<figcaption>\(e(caption))</figcaption>")
                out.append("</figure>")
            case let .linkedFigure(id, svg, href, caption, link):
                out.append("<figure id=\"\(e(id))\">")
                out.append(svg.trimmingCharacters(in: .whitespacesAndNewlines))
                out.append("<figcaption>\(e(caption)) (<a href=\"\(e(href))\">\(e(link))</a>)</figcaption>")
                out.append("</figure>")
            case let .table(caption, header, rows):
                out.append("<table>")
                out.append("<caption>\(e(caption))</caption>")
                out.append("<tr>" + header.map { "<th>\(e($0))</th>" }.joined() + "</tr>")
                for row in rows { out.append("<tr>" + row.map { "<td>\(e($0))</td>" }.joined() + "</tr>") }
                out.append("</table>")
            case let .keyValues(caption, pairs):
                out.append("<table>")
                out.append("<caption>\(e(caption))</caption>")
                for (key, value) in pairs { out.append("<tr><th>\(e(key))</th><td>\(e(value))</td></tr>") }
                out.append("</table>")
            case let .files(files):
                out += ReportPage.linkList(heading: "Files", files.map { ($0.name, $0.name, $0.description) })
            case let .paragraph(text):
                out.append("<p>\(e(text))</p>")
            case let .linkedImage(src, href, caption):
                out.append("<figure><a href=\"\(e(href))\"><img src=\"\(e(src))\" alt=\"\(e(caption))\" style=\"width:100%;border:1px solid #ddd\"></a>")
                out.append("<figcaption>\(e(caption))</figcaption></figure>")
            case let .links(heading, links):
                out += ReportPage.linkList(heading: heading, links)
            case let .heading(text):
                out.append("<h2>\(e(text))</h2>")
            case let .preformatted(summary, blocks):
                out.append("<details><summary>\(e(summary))</summary>")
                for block in blocks { out.append("<h3>\(e(block.label))</h3><pre>\(e(block.text))</pre>") }
                out.append("</details>")
            }
        }
        out += ["<div id=\"fl-tip\" role=\"tooltip\" hidden></div>", "<script>", ReportPage.interaction, "</script>", "</body>", "</html>"]
        return out.joined(separator: "\n") + "\n"
    }

    /// A heading over a list of links, each followed by what it is.
    static func linkList(heading: String, _ links: [(href: String, text: String, description: String)]) -> [String] {
        let e = SVGText.escape
        return ["<h2>\(e(heading))</h2>", "<ul>"]
            + links.map { "<li><a href=\"\(e($0.href))\">\(e($0.text))</a>: \(e($0.description))</li>" } + ["</ul>"]
    }

    /// Hover: an element's <title> becomes its data-value, shown in #fl-tip beside the pointer
    /// (the title is removed so the browser's own tooltip does not repeat it). Click on a legend
    /// entry (data-toggle): hides or shows the elements of that series (data-series).
    static let interaction = """
    (function () {
      var tip = document.getElementById("fl-tip");
      document.querySelectorAll("figure svg").forEach(function (svg) {
        svg.querySelectorAll("title").forEach(function (title) {
          title.parentNode.setAttribute("data-value", title.textContent);
          title.remove();
        });
        svg.addEventListener("mousemove", function (event) {
          var target = event.target.closest("[data-value]");
          if (!target) { tip.hidden = true; return; }
          tip.textContent = target.getAttribute("data-value");
          tip.hidden = false;
          // Beside the pointer, but never past the window's right edge (a long value near it).
          var right = window.scrollX + document.documentElement.clientWidth - tip.offsetWidth - 4;
          tip.style.left = Math.max(window.scrollX, Math.min(event.pageX + 12, right)) + "px";
          tip.style.top = (event.pageY + 12) + "px";
        });
        svg.addEventListener("mouseleave", function () { tip.hidden = true; });
        svg.querySelectorAll("[data-toggle]").forEach(function (entry) {
          entry.addEventListener("click", function () {
            var off = entry.classList.toggle("off");
            svg.querySelectorAll('[data-series="' + entry.getAttribute("data-toggle") + '"]').forEach(function (element) {
              element.style.display = off ? "none" : "";
            });
          });
        });
      });
    })();
    """
}
