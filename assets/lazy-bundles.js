// The Plotly bundle (1.3 MB), fetched only by a page that draws a chart (issue 14, page weight on
// a phone): without this every page loads it.
//
// dashboard/app.py (CoinPilotDash.interpolate_index) takes its <script> tag out of the index page
// and adds this file after the component bundles, before the renderer starts, with its address in
// data-bundles. Dash's renderer looks a component up as window[namespace][type] each time it
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
    var bundles = JSON.parse(script.getAttribute('data-bundles') || '{}');
    var failedText = script.getAttribute('data-failed-message') || 'This part of the page could not load.';
    var React = window.React;
    var loads = {};

    function loadScript(url) {
        if (!loads[url]) {
            loads[url] = new Promise(function (resolve, reject) {
                var tag = document.createElement('script');
                tag.src = url;
                tag.onload = function () { resolve(); };
                tag.onerror = function () {
                    delete loads[url];  // the next page that needs it tries again
                    tag.remove();
                    reject(new Error('could not load ' + url));
                };
                document.head.appendChild(tag);
            });
        }
        return loads[url];
    }

    // What Dash reads from a component class besides rendering it (prop checks, defaults, persistence).
    var STATICS = ['propTypes', 'defaultProps', 'dashPersistence', 'dashChildrenUpdate'];

    function copyStatics(from, to) {
        STATICS.forEach(function (name) {
            if (from && from[name] !== undefined) {
                to[name] = from[name];
            }
        });
    }

    // A component that fetches `url` when first drawn, then draws what `resolveReal()` returns.
    function standIn(displayName, url, resolveReal) {
        var state = {real: null, loaded: false, failed: false, loading: null};

        function start() {
            if (!state.loading) {
                state.failed = false;
                state.loading = loadScript(url).then(function () {
                    state.real = resolveReal();
                    copyStatics(state.real, Lazy);
                    state.loaded = true;
                }, function () {
                    state.failed = true;
                    state.loading = null;
                });
            }
            return state.loading;
        }

        function Lazy(props) {
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
                return React.createElement(state.real, props);
            }
            if (state.failed) {
                return React.createElement('div', {id: props.id, className: 'lazy-bundle-failed', role: 'alert'}, failedText);
            }
            return React.createElement('div', {id: props.id, className: props.className, style: props.style, 'aria-busy': 'true'});
        }
        Lazy.displayName = displayName;
        Object.defineProperty(Lazy, '_dashprivate_isLazyComponentReady', {
            get: function () {
                if (state.loaded) {
                    return state.real._dashprivate_isLazyComponentReady;
                }
                // A failed download settles too, so callbacks still run; the stand-in says what is missing.
                return start().then(function () {
                    return (state.real && state.real._dashprivate_isLazyComponentReady) || true;
                });
            }
        });
        return Lazy;
    }

    // Plotly: dcc.Graph draws with window.Plotly when it is there (and otherwise fetches Dash's
    // full 4.8 MB plotly.min.js), so the stand-in draws the real Graph only once ours has run.
    var dcc = window.dash_core_components;
    if (bundles.plotly && dcc && dcc.Graph && !window.Plotly) {
        var RealGraph = dcc.Graph;
        var LazyGraph = standIn('Graph', bundles.plotly, function () { return RealGraph; });
        copyStatics(RealGraph, LazyGraph);
        // The bundle's exports are read-only getters: Dash resolves a copy with the stand-in.
        window.dash_core_components = Object.assign({}, dcc, {Graph: LazyGraph});
    }
}());
