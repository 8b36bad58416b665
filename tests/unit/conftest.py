import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))  # tests/unit/graphs.py: shared hand-written graphs
