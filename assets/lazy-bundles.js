// The Plotly bundle (1.3 MB), fetched only by a page that draws a chart (issue 14, page weight on
// a phone): without this every page loads it.
//
// dashboard/app.py (CoinPilotDash.interpolate_index) takes its <script> tag out of the index page
// and adds this file after the component bundles, before the renderer starts, with its address in
// data-plotly. Dash's renderer looks a component up as window[namespace][type] each time it
// draws it, and waits for a component's _dashprivate_isLazyComponentReady promise before it runs
// callbacks on it: a stand-in for dcc.Graph answers both, fetches Plotly on first use and then
// draws the real Graph with the same props.
//
// AG Grid's bundle (1.3 MB) is not loaded this way: a grid created after the page had settled
// sometimes sized its columns before its container had a width and kept its header hidden
// (axe-core: header row without visible cells) on the Risk and System audit grids at 390 px.
(function () {
    'use strict';
    var script = document.currentScript;
    var plotlyUrl = script.getAttribute('data-plotly');
    var failedText = script.getAttribute('data-failed-message') || 'This part of the page could not load.';
    var React = window.React;
    var dcc = window.dash_core_components;
    if (!plotlyUrl || !dcc || !dcc.Graph || window.Plotly) {
        return;
    }
    var RealGraph = dcc.Graph;
    var state = {loaded: false, failed: false, loading: null};

    // One download for every chart of the page; after a failure the next chart drawn tries again.
    function start() {
        if (!state.loading) {
            state.failed = false;
            state.loading = new Promise(function (resolve, reject) {
                var tag = document.createElement('script');
                tag.src = plotlyUrl;
                tag.onload = function () { resolve(); };
                tag.onerror = function () {
                    tag.remove();
                    reject(new Error('could not load ' + plotlyUrl));
                };
                document.head.appendChild(tag);
            }).then(function () {
                state.loaded = true;
            }, function () {
                state.failed = true;
                state.loading = null;
            });
        }
        return state.loading;
    }

    function Graph(props) {
        var rerender = React.useState(0)[1];
        React.useEffect(function () {
            if (state.loaded) {
                return undefined;
            }
            var mounted = true;
            start().then(function () {
                if (mounted) {
                    rerender(function (n) { return n + 1; });
                }
            });
            return function () { mounted = false; };
        }, []);
        if (state.loaded) {
            return React.createElement(RealGraph, props);
        }
        if (state.failed) {
            return React.createElement('div', {id: props.id, className: 'lazy-bundle-failed', role: 'alert'}, failedText);
        }
        return React.createElement('div', {id: props.id, className: props.className, style: props.style, 'aria-busy': 'true'});
    }
    // What Dash reads from a component class besides drawing it (prop checks, defaults, persistence).
    ['propTypes', 'defaultProps', 'dashPersistence', 'dashChildrenUpdate'].forEach(function (name) {
        if (RealGraph[name] !== undefined) {
            Graph[name] = RealGraph[name];
        }
    });
    Object.defineProperty(Graph, '_dashprivate_isLazyComponentReady', {
        get: function () {
            if (state.loaded) {
                return RealGraph._dashprivate_isLazyComponentReady;
            }
            // A failed download settles too, so callbacks still run; the stand-in says what is missing.
            return start().then(function () {
                return state.loaded ? RealGraph._dashprivate_isLazyComponentReady || true : true;
            });
        }
    });
    // The bundle's exports are read-only getters: Dash resolves a copy with the stand-in.
    window.dash_core_components = Object.assign({}, dcc, {Graph: Graph});
}());
