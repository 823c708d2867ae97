"""Lead scoring pages: the live score of a lead or business contact form and
Customize ▸ Lead scoring criteria (with its delete confirmation).

The criteria score business contacts as well as leads, so these are crm's;
the lead form uses the same live score as the business contact form."""
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _, gettext_lazy
from django.views import View

from crm import selectors, services
from crm.generic.ordered import OrderedDeleteView, OrderedList
from crm.models import ScoringCriterion
from crm.permissions import OwnerRequiredMixin
from crm.scoring_forms import CriterionForm, ScoreSectionForm, submitted_score
from crm.views.customize import CustomizeListView


class ScoreView(View):
    """The live score of a lead or business contact form (htmx): the form is
    posted whenever something in its "Lead score" section changes, and the
    stars it would save are drawn again (the ``stars`` partial of
    ``crm/includes/score_display.html``). It writes nothing; it is POST only
    because the whole form travels in the body, so a GET is refused (405)."""

    def post(self, request):
        score = submitted_score(ScoreSectionForm(request.POST))
        return render(request, "crm/includes/score_display.html#stars", {"score": score})


class Criteria(OrderedList):
    """The lead scoring criteria; every change re-scores all automatic leads and
    business contacts at once, and a delete is confirmed first (``CriterionDeleteView``)."""

    key = "criterion"
    form_class = CriterionForm
    queryset = ScoringCriterion.objects.all()
    column_headings = True
    add_heading = gettext_lazy("New criterion")
    empty_text = gettext_lazy("No criteria: every automatic score is 0 stars.")
    delete_url_name = "crm:criterion_delete"

    def save(self, form, *, creating):
        services.criterion_save(criterion=form.save(commit=False))
        return _("“%(name)s” was saved; scores were recalculated.") % {"name": form.instance}

    def move(self, item, offset):
        services.criterion_move(criterion=item, offset=offset)


class CriteriaView(CustomizeListView):
    """Customize lead scoring criteria: add, edit (description, weight), move, delete."""

    lists = [Criteria()]
    title = gettext_lazy("Lead scoring criteria")
    intro = gettext_lazy("A lead's automatic score is 5 stars × the weights of the criteria it meets ÷ the weights of all "
                         "criteria. Changing the criteria re-scores every lead and business contact with an automatic "
                         "score; manual scores stand.")
    page_width = "col-lg-8"


class CriterionDeleteView(OwnerRequiredMixin, OrderedDeleteView):
    """Delete a scoring criterion: GET says what happens (who is re-scored,
    where it is ticked), POST deletes it and re-scores."""

    queryset = ScoringCriterion.objects.all()
    template_name = "crm/criterion_delete.html"

    def get_context_data(self, item):
        return selectors.criterion_delete_effect(item)

    def list_url(self, item):
        return reverse("crm:criteria")

    def delete(self, item, form, user):
        services.criterion_delete(criterion=item)
        return _("“%(name)s” was deleted; scores were recalculated.") % {"name": item}
