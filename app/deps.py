"""Annotated dependencies: what routers receive, built once at start-up and swappable in tests.

They are `async` so FastAPI resolves them on the event loop, not in a worker thread.
"""

from typing import Annotated

from fastapi import Depends, Request

from app.analysis.service import Analyzer
from app.services import Services
from app.settings import Settings


async def get_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


async def get_services(request: Request) -> Services:
    """Every long-lived object, built at start-up."""
    services: Services = request.app.state.services
    return services


async def get_analyzer(request: Request) -> Analyzer:
    """The analyzer warmed at start-up."""
    services: Services = request.app.state.services
    return services.analyzer


SettingsDep = Annotated[Settings, Depends(get_settings)]
ServicesDep = Annotated[Services, Depends(get_services)]
AnalyzerDep = Annotated[Analyzer, Depends(get_analyzer)]
