import Mustache

/// The Mustache templates of the pages, as string constants (no resources to bundle).
///
/// `{{name}}` is HTML-escaped by Mustache; `{{{name}}}` inserts trusted HTML (CSS, scripts, section bodies
/// built with ``HTML/escape(_:)``).
public enum ReportTemplates {
  /// The page: head, header with navigation, the sections, footer, scripts.
  public static let page = """
    <!DOCTYPE html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <meta name="color-scheme" content="light">
    <title>{{title}}</title>
    <script>{{{errorMarker}}}</script>
    <style>{{{style}}}</style>
    </head>
    <body>
    <a class="skip" href="#main">Skip to the report</a>
    <header>
    <h1>{{title}}</h1>
    {{{subtitleHTML}}}
    <nav aria-label="Sections"><ul>{{#sections}}<li><a href="#{{id}}">{{title}}</a></li>{{/sections}}</ul></nav>
    </header>
    <main id="main">
    {{#sections}}
    <section id="{{id}}" data-section="{{id}}" aria-labelledby="{{id}}-heading">
    <h2 id="{{id}}-heading">{{title}}</h2>
    {{{leadHTML}}}
    {{{body}}}
    </section>
    {{/sections}}
    </main>
    <footer>{{footer}}</footer>
    <pre id="script-errors" aria-hidden="true"></pre>
    <script>{{{script}}}</script>
    </body>
    </html>

    """

  /// A bundle card: rank and items, prices, four facts, the evidence sentence and chart, rejected substitutes,
  /// and the long derivation behind a toggle.
  public static let bundleCard = """
    <article class="card bundle-card" id="bundle-{{rank}}" data-rank="{{rank}}" data-price="{{priceValue}}">
    <h3><span class="rank">#{{rank}} ·</span> {{name}}</h3>
    <ul class="items">{{#items}}<li>{{title}} <span class="muted">({{id}}, {{price}})</span></li>{{/items}}</ul>
    <p class="price"><strong class="bundle-price">{{price}}</strong> <s aria-label="list price {{listPrice}}">{{listPrice}}</s> <span>{{discount}} off</span></p>
    <ul class="facts">
    <li>margin<strong>{{marginRate}}</strong></li>
    <li>extra profit<strong>{{profit}}</strong></li>
    <li>take-up<strong>{{attachRate}}</strong></li>
    </ul>
    <p class="evidence">{{evidence}}</p>
    {{{chart}}}
    {{#hasRejected}}<p><strong>Left out as look-alikes:</strong></p>
    <ul class="rejected">{{#rejected}}<li>{{partner}}: {{why}}; {{together}} orders had both</li>{{/rejected}}</ul>{{/hasRejected}}
    {{^hasRejected}}<p class="muted">No look-alikes among the items' frequent partners.</p>{{/hasRejected}}
    <details><summary>How this was worked out</summary><p>{{derivation}}</p></details>
    </article>

    """

  /// Parses a template.
  /// - Parameters:
  ///   - text: the template.
  ///   - name: its name, for errors.
  /// - Returns: the parsed template.
  /// - Throws: ``ReportError`` when it does not parse.
  public static func template(_ text: String, named name: String) throws -> MustacheTemplate {
    do { return try MustacheTemplate(string: text) } catch {
      throw ReportError(template: name, message: "\(error)")
    }
  }
}
