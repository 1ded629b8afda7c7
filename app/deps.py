"""Annotated dependencies: what routers receive, built once at start-up and swappable in tests.

They are `async` so FastAPI resolves them on the event loop, not in a worker thread.
"""

from typing import Annotated

from fastapi import Depends, Request

from app.analysis.service import Analyzer
from app.settings import Settings


async def get_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


async def get_analyzer(request: Request) -> Analyzer:
    """The analyzer warmed at start-up."""
    analyzer: Analyzer = request.app.state.analyzer
    return analyzer


SettingsDep = Annotated[Settings, Depends(get_settings)]
AnalyzerDep = Annotated[Analyzer, Depends(get_analyzer)]
