"""The top bar: product, tenant, cloud, and a SANDBOX badge that cannot be missed.

One widget drawing one line, not a row of Statics: it is on the first frame, and
every widget there costs start-up time.
"""

from __future__ import annotations

from typing import ClassVar

from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget

from tui.text import safe_text

BADGE = " SANDBOX "


class WizardHeader(Widget):
    COMPONENT_CLASSES: ClassVar[set[str]] = {"wizard-header--title", "wizard-header--badge"}

    tenant: reactive[str] = reactive("not signed in")
    cloud: reactive[str] = reactive("global")

    def __init__(
        self, *, sandbox: bool, tenant: str = "not signed in", cloud: str = "global"
    ) -> None:
        super().__init__(id="header")
        self.sandbox = sandbox
        self.set_reactive(WizardHeader.tenant, tenant)
        self.set_reactive(WizardHeader.cloud, cloud)

    def render(self) -> Content:
        title = Content(" adue ").stylize(self.get_visual_style("wizard-header--title"))
        cloud = Content(f" Cloud: {safe_text(self.cloud)} ")
        badge = Content(BADGE if self.sandbox else "")
        if self.sandbox:
            badge = badge.stylize(self.get_visual_style("wizard-header--badge"))
        # The tenant takes what the others leave (in cells: a tenant's name may be
        # Japanese), cut short with an ellipsis on a narrow terminal.
        used = title.cell_length + cloud.cell_length + badge.cell_length
        room = max(0, self.size.width - used)
        tenant = Content(f" Tenant: {safe_text(self.tenant)}").truncate(
            room, ellipsis=True, pad=True
        )
        return Content.assemble(title, tenant, cloud, badge)
