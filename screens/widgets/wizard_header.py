"""The top bar: product, tenant (name and, once signed in, id), cloud, and a SANDBOX badge.

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
    DEFAULT_CSS = """
    WizardHeader {
        height: 1;
        background: $primary;
        color: $text;
        & > .wizard-header--title {
            text-style: bold;
        }
        & > .wizard-header--badge {
            background: $warning;
            color: $background;
            text-style: bold;
        }
    }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {"wizard-header--title", "wizard-header--badge"}

    tenant: reactive[str] = reactive("not signed in")
    tenant_id: reactive[str] = reactive("")  # the signed-in tenant's id ("" before sign-in)
    cloud: reactive[str] = reactive("global")

    def __init__(
        self,
        *,
        sandbox: bool,
        tenant: str = "not signed in",
        tenant_id: str = "",
        cloud: str = "global",
    ) -> None:
        super().__init__(id="header")
        self.sandbox = sandbox
        self.set_reactive(WizardHeader.tenant, tenant)
        self.set_reactive(WizardHeader.tenant_id, tenant_id)
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
        return Content.assemble(title, self._tenant(room), cloud, badge)

    def _tenant(self, room: int) -> Content:
        """ " Tenant: name (id)"; where that does not fit the label goes, then the name is
        cut: the id, which says exactly which tenant adue writes to, stays whole."""
        name = safe_text(self.tenant)
        if not self.tenant_id:
            return Content(f" Tenant: {name}").truncate(room, ellipsis=True, pad=True)
        suffix = f" ({safe_text(self.tenant_id)})"
        for label in (" Tenant: ", " "):
            text = Content(f"{label}{name}{suffix}")
            if text.cell_length <= room:
                return text.truncate(room, pad=True)
        name_room = max(1, room - len(suffix) - 1)
        cut = Content(name).truncate(name_room, ellipsis=True)
        return Content.assemble(Content(" "), cut, Content(suffix)).truncate(room, pad=True)
