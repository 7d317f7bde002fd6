import factory

from ascolto.feedback.models import Survey
from ascolto.feedback.services import survey_create


class SurveyFactory(factory.Factory):
    """Surveys are made through the service, so they get their template questions."""

    class Meta:
        model = Survey

    name = factory.Sequence(lambda n: f"Sondaggio {n}")
    kind = Survey.Kind.NPS

    @classmethod
    def _create(cls, model_class, workspace, by=None, **kwargs):
        if by is None:  # the workspace's first owner makes it
            by = workspace.memberships.filter(role="owner").order_by("pk").first()
        return survey_create(workspace=workspace, by=by, **kwargs)
