"""Writes for cases: opening, the moves of their status, owners, links and notes (`cases`),
their clocks (`sla`), and the remedies with budgets and approvals (`remedies`).

Every service a member calls takes `by: Membership` and checks it first
(`require_member`, docs/tenancy.md); those the system runs (a hook opening a case, the clock
job) take no `by`.
"""

from ascolto.cases.services.cases import (
    CaseRefused,
    case_assign,
    case_categories_install_defaults,
    case_category_save,
    case_link,
    case_note_add,
    case_open,
    case_open_for_system,
    case_reopen,
    case_settings_update,
    case_status_change,
    case_update,
)
from ascolto.cases.services.defaults import case_defaults_install
from ascolto.cases.services.remedies import (
    case_remedy_approve,
    case_remedy_grant,
    case_remedy_refuse,
    remedy_option_set,
    spending_budget_set,
)
from ascolto.cases.services.replies import reply_template_delete, reply_template_set
from ascolto.cases.services.sla import case_clocks_check, sla_policy_set

__all__ = [
    "CaseRefused",
    "case_assign",
    "case_categories_install_defaults",
    "case_category_save",
    "case_clocks_check",
    "case_defaults_install",
    "case_link",
    "case_note_add",
    "case_open",
    "case_open_for_system",
    "case_remedy_approve",
    "case_remedy_grant",
    "case_remedy_refuse",
    "case_reopen",
    "case_settings_update",
    "case_status_change",
    "case_update",
    "remedy_option_set",
    "reply_template_delete",
    "reply_template_set",
    "sla_policy_set",
    "spending_budget_set",
]
