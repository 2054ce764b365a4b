/// The page's inline CSS: a quiet, print-like layout (booktabs-style tables, numbered
/// figure captions), system fonts only, so the page looks the same offline.
enum ReportStylesheet {
  static let css = """
    :root { --ink: #222; --muted: #5f5f5f; --rule: #cfcfcf; --paper: #ffffff; }
    * { box-sizing: border-box; }
    body { margin: 0; background: #efefec; color: var(--ink);
           font: 15px/1.5 "DejaVu Sans", "Helvetica Neue", Helvetica, Arial, sans-serif; }
    main { max-width: 1280px; margin: 0 auto; padding: 28px 40px 56px; background: var(--paper); }
    header h1 { font-size: 27px; margin: 0 0 2px; letter-spacing: -0.2px; }
    header .subtitle { color: var(--muted); margin: 0 0 10px; }
    header .inputs { font-size: 13px; color: var(--muted); margin: 0; }
    header code, p code, li code { font-size: 12.5px; background: #f3f3f1; padding: 1px 4px; border-radius: 3px; }
    nav.toc { margin: 18px 0 4px; padding: 10px 14px; background: #f7f7f5; border: 1px solid #e4e4e0; font-size: 14px; }
    nav.toc ol { margin: 0; padding-left: 22px; columns: 3; column-gap: 28px; }
    nav.toc a { color: #2b5d8a; text-decoration: none; }
    section { margin-top: 34px; }
    h2 { font-size: 20px; margin: 0 0 10px; padding-bottom: 5px; border-bottom: 1px solid var(--rule); }
    p { margin: 8px 0; max-width: 980px; }
    .note { background: #f7f7f5; border-left: 3px solid #b9b9b3; padding: 7px 12px; color: #444; font-size: 14px; }
    .flag { color: #b00020; }
    .figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(520px, 1fr)); gap: 22px 32px;
               align-items: start; margin: 14px 0; }
    .figures.maps { grid-template-columns: repeat(auto-fill, minmax(330px, 1fr)); }
    figure { margin: 0; }
    figure.wide { grid-column: 1 / -1; }
    figure img { display: block; max-width: 100%; height: auto; }
    figure.raster img { image-rendering: pixelated; }
    figcaption { font-size: 13px; line-height: 1.45; color: #3d3d3d; margin-top: 6px; max-width: 640px; }
    figure.wide figcaption { max-width: 980px; }
    figcaption .label { font-weight: bold; color: var(--ink); }
    figcaption .links { color: var(--muted); white-space: nowrap; }
    figcaption a, .data-links a { color: #2b5d8a; }
    .table-wrap { overflow-x: auto; margin: 12px 0; }
    table.numbers { border-collapse: collapse; font-size: 13.5px; font-variant-numeric: tabular-nums;
                    border-top: 1.6px solid var(--ink); border-bottom: 1.6px solid var(--ink); }
    table.numbers caption { caption-side: bottom; text-align: left; font-size: 13px; color: #3d3d3d;
                            padding-top: 7px; max-width: 980px; }
    table.numbers th, table.numbers td { padding: 5px 9px; text-align: right; white-space: nowrap; }
    table.numbers thead th { border-bottom: 1px solid var(--ink); font-weight: 600; vertical-align: bottom; }
    table.numbers th.text, table.numbers td.text { text-align: left; }
    /* Names and mask descriptions wrap (long model names would push the numbers out of sight);
       the wrapper still scrolls if the numbers alone are wider than the page. */
    table.numbers td.text { white-space: normal; overflow-wrap: anywhere; min-width: 9em; max-width: 22em; }
    table.numbers thead th { white-space: normal; }
    table.numbers thead th.group { text-align: center; border-bottom: 1px solid #8a8a8a; padding-bottom: 3px; }
    table.numbers tbody tr:nth-child(even) { background: #fafaf8; }
    table.numbers td.baseline { font-style: italic; color: var(--muted); }
    .ci { display: block; color: var(--muted); font-size: 11.5px; }
    .swatch { display: inline-block; width: 11px; height: 11px; border-radius: 2px; margin-right: 7px;
              vertical-align: -1px; }
    .absent ul { margin: 4px 0; padding-left: 20px; }
    footer { margin-top: 40px; padding-top: 10px; border-top: 1px solid var(--rule); font-size: 13px; color: var(--muted); }
    @media print { body { background: none; } main { padding: 0; } nav.toc { display: none; }
                   .table-wrap { overflow: visible; } }
    """
}
