// The trace types layouts/ draws (go.Bar, go.Box, go.Candlestick, go.Heatmap, go.Indicator,
// go.Pie, go.Scatter): a chart of any other type would render empty, which
// tests/unit/test_plotly_bundle.py catches by comparing this list with layouts/.
var Plotly = require('plotly.js/lib/core');

Plotly.register([
    require('plotly.js/lib/bar'),
    require('plotly.js/lib/box'),
    require('plotly.js/lib/candlestick'),
    require('plotly.js/lib/heatmap'),
    require('plotly.js/lib/indicator'),
    require('plotly.js/lib/pie'),
    // Korean month and day names, number separators: chosen per figure by config.locale.
    require('plotly.js/lib/locales/ko'),
]);

// dcc.Graph uses window.Plotly when it is already there instead of fetching Dash's full
// plotly.min.js (4.8 MB), so this file in assets/ replaces that download on every page.
window.Plotly = Plotly;
