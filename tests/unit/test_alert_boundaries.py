"""The watcher is a process of its own: it imports the data layer, never Dash or the pages."""

import subprocess
import sys


def test_the_watcher_never_imports_dash_or_the_pages():
    code = (
        "import sys, alerts.watcher, alerts.state;"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'dash', 'layouts', 'callbacks', 'simulator', 'flask'}))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
