import Mustache

/// The frame of a self-contained page: head with inline CSS, a header with the section navigation, the
/// sections, a footer, and the inline script (sortable tables, print, error marker). No network access is
/// needed to open the result: no fonts, scripts or styles are loaded from anywhere.
///
/// The script marks the document for tests and tools: `<html data-script="ready">` once it ran, and
/// `data-script-errors="N"` with the number of uncaught errors and `console.error` calls (their messages go to
/// the hidden `#script-errors` element).
///
/// ```swift
/// let kit = ChartKit(style: NumberStyle(currency: "£"))
/// let chart = kit.bars(id: "sizes", title: "Basket sizes", summary: "…", data: data, valueName: "orders")
/// let shell = PageShell(title: "Shop report", subtitle: "12,345 orders")
/// let html = try shell.render([ReportSection(id: "data", title: "Data", body: chart.html)])
/// ```
public struct PageShell: Sendable {
  /// Page title and main heading.
  public var title: String
  /// One line under the heading (source, period).
  public var subtitle: String
  /// Small print at the bottom (version, how it was made).
  public var footer: String
  /// Extra CSS appended to ``PageShell/style`` (a page's own rules).
  public var extraStyle: String
  /// Extra JavaScript run after the shell's script (e.g. a dashboard's polling).
  public var extraScript: String

  /// Creates a shell.
  /// - Parameters:
  ///   - title: page title and heading.
  ///   - subtitle: one line under it.
  ///   - footer: small print.
  ///   - extraStyle: CSS added after the shell's.
  ///   - extraScript: JavaScript run after the shell's.
  public init(
    title: String, subtitle: String = "", footer: String = "", extraStyle: String = "", extraScript: String = ""
  ) {
    self.title = title
    self.subtitle = subtitle
    self.footer = footer
    self.extraStyle = extraStyle
    self.extraScript = extraScript
  }

  /// Renders the page.
  /// - Parameter sections: the sections, in order; each is listed in the navigation.
  /// - Returns: the complete HTML document.
  /// - Throws: ``ReportError`` if the page template does not parse (a programming error).
  /// - Complexity: O(total size of the sections).
  public func render(_ sections: [ReportSection]) throws -> String {
    let template = try ReportTemplates.template(ReportTemplates.page, named: "page")
    // Empty strings are truthy in Mustache sections, so optional parts arrive as ready HTML or nothing.
    let context = PageContext(
      title: title,
      subtitleHTML: subtitle.isEmpty ? "" : "<p class=\"subtitle\">\(HTML.escape(subtitle))</p>", footer: footer,
      style: Self.style + extraStyle, script: Self.script + extraScript, errorMarker: Self.errorMarker,
      sections: sections.map {
        SectionContext(
          id: $0.id, title: $0.title,
          leadHTML: $0.lead.isEmpty ? "" : "<p class=\"lead\">\(HTML.escape($0.lead))</p>", body: $0.body)
      })
    return template.render(context)
  }

  private struct SectionContext {
    var id: String
    var title: String
    var leadHTML: String
    var body: String
  }

  private struct PageContext {
    var title: String
    var subtitleHTML: String
    var footer: String
    var style: String
    var script: String
    var errorMarker: String
    var sections: [SectionContext]
  }

  /// The shell's CSS: light theme, readable measure, cards and tables that reflow on a phone, visible keyboard
  /// focus, and print rules (no navigation, no page breaks inside cards and charts).
  public static let style = """
    :root{--fg:#1b1b1b;--muted:#555;--line:#d0d0d0;--bg:#fff;--panel:#f6f7f9;--accent:#2f5f98;--warn:#b3261e}
    *{box-sizing:border-box}
    html{-webkit-text-size-adjust:100%}
    body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:var(--fg);background:var(--bg)}
    a{color:var(--accent)}
    .skip{position:absolute;left:-999px;top:0;background:#fff;padding:8px}
    .skip:focus{left:8px;z-index:10}
    :focus-visible{outline:3px solid #1a4a8a;outline-offset:2px}
    header,main,footer{max-width:1100px;margin:0 auto;padding:0 16px}
    header{padding-top:20px;border-bottom:1px solid var(--line)}
    h1{font-size:1.7rem;margin:0 0 4px}
    h2{font-size:1.35rem;margin:0 0 6px;padding-top:8px}
    h3{font-size:1.05rem;margin:0 0 6px}
    .subtitle,.lead,.muted,.hint{color:var(--muted)}
    .hint{font-size:.85em;font-weight:normal}
    nav ul{list-style:none;display:flex;flex-wrap:wrap;gap:4px 14px;padding:0;margin:10px 0 12px}
    nav a{display:inline-block;padding:4px 0}
    section{padding:18px 0 24px;border-bottom:1px solid var(--line)}
    .kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:10px;margin:12px 0;padding:0;list-style:none}
    .kpis li{background:var(--panel);border:1px solid var(--line);border-radius:6px;padding:8px 12px}
    .kpis strong{display:block;font-size:1.3rem}
    .grid2{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:16px}
    .chart-figure{margin:12px 0;min-width:0;overflow-x:auto}
    .chart-figure figcaption{font-weight:600;margin-bottom:4px}
    svg.chart{display:block;max-width:100%;height:auto}
    svg.chart .tick,svg.chart .value,svg.chart .axis-name{fill:#333}
    svg.chart .ref-label{fill:var(--warn);font-weight:600}
    details{margin:6px 0}
    summary{cursor:pointer;color:var(--accent)}
    .table-wrap{overflow-x:auto;max-width:100%}
    .table-wrap.tall{max-height:34em;overflow-y:auto;border-bottom:1px solid var(--line)}
    #table-rules td:nth-child(-n+2){min-width:11em}
    .sortable thead th{position:sticky;top:0;background:#fff}
    table{border-collapse:collapse;width:100%;font-size:.9rem;margin:6px 0}
    caption{text-align:left;font-weight:600;padding:4px 0}
    th,td{border-bottom:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
    .num{text-align:right;font-variant-numeric:tabular-nums}
    th button{font:inherit;font-weight:600;background:none;border:0;padding:2px 0;cursor:pointer;color:inherit;text-align:inherit}
    th[aria-sort=ascending] .sort-mark::after{content:" ▲"}
    th[aria-sort=descending] .sort-mark::after{content:" ▼"}
    .cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:16px;margin-top:12px}
    .card{border:1px solid var(--line);border-radius:8px;padding:14px;background:#fff;min-width:0}
    .card h3 .rank{color:var(--muted);font-weight:normal}
    .card ul.items,.card ul.rejected{margin:6px 0;padding-left:18px}
    .card .rejected li{font-size:.9rem}
    .price{font-size:1.2rem}
    .price s{color:var(--muted);font-size:.95rem}
    .facts{display:grid;grid-template-columns:repeat(3,1fr);gap:6px;margin:8px 0;padding:0;list-style:none}
    .facts li{background:var(--panel);border-radius:4px;padding:4px 6px;font-size:.85rem}
    .facts strong{display:block;font-size:1rem}
    .evidence{margin:8px 0}
    .not-computed{background:var(--panel);border-left:4px solid var(--muted);padding:8px 12px}
    #script-errors{display:none}
    footer{color:var(--muted);font-size:.85rem;padding:16px}
    @media (max-width:600px){svg.chart.wide{min-width:520px}body{font-size:14px}h1{font-size:1.4rem}.facts{grid-template-columns:repeat(2,1fr)}.cards,.grid2{grid-template-columns:1fr}}
    @media print{nav,.skip,.hint{display:none}.table-wrap.tall{max-height:none;overflow:visible}body{font-size:11pt}section{break-inside:auto}.card,.chart-figure,tr{break-inside:avoid}a{color:inherit;text-decoration:none}details>summary{display:none}}

    """

  /// The shell's JavaScript: error marker, keyboard-operable table sorting, and opening every toggle for print.
  public static let script = """
    (function(){
    var root=document.documentElement;
    function sortTable(th){var table=th.closest('table');var body=table.tBodies[0];if(!body)return;
    var index=Array.prototype.indexOf.call(th.parentNode.children,th);var numeric=th.getAttribute('data-type')==='number';
    var ascending=th.getAttribute('aria-sort')!=='ascending';
    Array.prototype.forEach.call(th.parentNode.children,function(other){other.removeAttribute('aria-sort');});
    th.setAttribute('aria-sort',ascending?'ascending':'descending');
    var rows=Array.prototype.slice.call(body.rows);
    rows.sort(function(a,b){var x=a.cells[index].getAttribute('data-sort')||a.cells[index].textContent;
    var y=b.cells[index].getAttribute('data-sort')||b.cells[index].textContent;
    var c=numeric?(parseFloat(x)-parseFloat(y)):x.localeCompare(y);return ascending?c:-c;});
    rows.forEach(function(row){body.appendChild(row);});}
    Array.prototype.forEach.call(document.querySelectorAll('table.sortable th button'),function(button){
    button.addEventListener('click',function(){sortTable(button.parentNode);});});
    window.addEventListener('beforeprint',function(){
    Array.prototype.forEach.call(document.querySelectorAll('details'),function(d){d.setAttribute('open','');});});
    root.setAttribute('data-script','ready');
    })();

    """

  /// Runs before anything else in `<head>`: counts uncaught errors and `console.error` calls into
  /// `data-script-errors` and `#script-errors`.
  static let errorMarker = """
    (function(){var root=document.documentElement;var count=0;root.setAttribute('data-script-errors','0');
    function note(text){count+=1;root.setAttribute('data-script-errors',String(count));
    var box=document.getElementById('script-errors');if(box){box.textContent+=text+'\\n';}}
    window.addEventListener('error',function(e){note('error: '+(e.message||e.type));});
    window.addEventListener('unhandledrejection',function(e){note('rejection: '+e.reason);});
    var original=console.error;console.error=function(){note('console.error: '+Array.prototype.join.call(arguments,' '));
    return original.apply(console,arguments);};})();
    """
}
