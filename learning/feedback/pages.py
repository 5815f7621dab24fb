"""The rating forms for people at /feedback/: one item at a time, the next from the rating queue.

Server-rendered and complete without JavaScript (rate.js only adds keyboard shortcuts and star highlighting).
Raters and operators may rate; anyone else logged in gets a 403 page. Raters are not staff, so they cannot use
the admin login: the page has its own (/feedback/login).
"""

from __future__ import annotations

from datetime import datetime, time

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from core.roles import OPERATOR, RATER, user_roles
from learning.feedback.items import item_context
from learning.feedback.patterns import pattern_confidence
from learning.feedback.queue import queue_length, rating_queue
from learning.feedback.ratings import feedback_submit, target_get
from learning.feedback.selectors import ratings_given_since
from learning.models import FeedbackType, TargetType

TEMPLATE = "learning/rate.html"
SKIPPED_KEY = "learning_rate_skipped"  # in the session: {"day": ISO date, "keys": ["insight:12", ...]}
SKIPPED_MAX = 200
HELPFUL_CHOICES = [("", "Not said"), ("yes", "Helpful"), ("no", "Not helpful")]
HELPFUL_VALUES = {"": None, "yes": True, "no": False}
STARS = [(n, f"{n} star" + ("" if n == 1 else "s")) for n in range(1, 6)]


class RatingForm(forms.Form):
    target_type = forms.ChoiceField(choices=TargetType.choices, widget=forms.HiddenInput)
    target_id = forms.CharField(max_length=64, widget=forms.HiddenInput)
    rating = forms.TypedChoiceField(
        choices=STARS,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose from 1 to 5 stars.", "invalid_choice": "A rating is from 1 to 5 stars."},
    )
    helpful = forms.ChoiceField(choices=HELPFUL_CHOICES, required=False, widget=forms.RadioSelect)
    comment = forms.CharField(required=False, max_length=5000, widget=forms.Textarea)
    suggestion = forms.CharField(required=False, max_length=5000, widget=forms.Textarea)

    def clean(self):
        data = super().clean()
        if "target_type" in data and "target_id" in data:
            try:
                data["target"] = target_get(data["target_type"], data["target_id"])
            except Http404:
                raise forms.ValidationError(
                    f"There is no {data['target_type']} {data['target_id']} to rate (any more)."
                ) from None
        return data


def hobby_label(name: str) -> str:
    """SKILL_PRACTICE -> Skill practice."""
    return name.replace("_", " ").capitalize() if name else ""


def _allowed(user) -> bool:
    return bool(user_roles(user) & {RATER, OPERATOR})


def _key(target_type: str, target_id: str) -> str:
    return f"{target_type}:{target_id}"


def _skipped(request) -> list[str]:
    """This rater's skipped items for today; yesterday's are forgotten."""
    stored = request.session.get(SKIPPED_KEY) or {}
    if stored.get("day") != timezone.localdate().isoformat():
        return []
    return list(stored.get("keys", []))


def _skip(request, key: str) -> None:
    keys = [k for k in _skipped(request) if k != key] + [key]
    request.session[SKIPPED_KEY] = {"day": timezone.localdate().isoformat(), "keys": keys[-SKIPPED_MAX:]}


def _next_item(request, skipped: list[str]) -> dict | None:
    """The first item of the queue that the rater did not skip, or None."""
    excluded = set(skipped)
    for entry in rating_queue(rater=request.user, limit=len(excluded) + 1):
        if _key(entry["target_type"], entry["target_id"]) not in excluded:
            return entry
    return None


def _item_view(target_type: str, obj, entry: dict | None = None) -> dict:
    item = item_context(target_type, obj)
    item["hobby_label"] = hobby_label(item.get("hobby_type", ""))
    if target_type == TargetType.INSIGHT:
        item["confidence"] = pattern_confidence({obj.kind})[obj.kind]
        item["confidence_text"] = f"{item['confidence']:.0%}"
    if item.get("activity"):
        activity = item["activity"]
        activity["score_text"] = _percent(activity["score"], "not scored")
        activity["heldout_text"] = _percent(activity["heldout_score"], "not measured")
    entry = entry or {}
    mean, std = entry.get("predicted_reward"), entry.get("uncertainty")
    if mean is not None:
        item["prediction_text"] = f"{mean:+.2f}" + ("" if std is None else f" ± {std:.2f}")
    item["feedback_count"] = entry.get("feedback_count")
    return item


def _percent(value: float | None, missing: str) -> str:
    return missing if value is None else f"{value:.0%}"


def _page(request, *, form: RatingForm, item: dict | None, status: int = 200, errors=()):
    skipped = _skipped(request)
    midnight = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
    values = form.data if form.is_bound else {}
    context = {
        "item": item,
        "form": form,
        "errors": list(errors),
        "star_options": [{"value": n, "label": label, "checked": values.get("rating") == str(n)} for n, label in STARS],
        "helpful_options": [
            {
                "value": value,
                "label": label,
                "id": f"helpful-{value or 'unsaid'}",
                "checked": values.get("helpful", "") == value,
            }
            for value, label in HELPFUL_CHOICES
        ],
        "comment": values.get("comment", ""),
        "suggestion": values.get("suggestion", ""),
        "rated_today": ratings_given_since(request.user, midnight),
        "left_in_queue": queue_length(rater=request.user),
        "skipped_count": len(skipped),
        "skip_url": f"{reverse('feedback_pages:rate')}?skip={_key(item['target_type'], item['target_id'])}"
        if item
        else "",
    }
    return render(request, TEMPLATE, context, status=status)


def _forbidden(request):
    return render(request, "learning/forbidden.html", status=403)


@login_required(login_url=reverse_lazy("feedback_pages:login"))
@require_http_methods(["GET", "HEAD", "POST"])
def rate_page(request):
    """GET: the next item to rate, with the form. POST: store the rater's judgement, then show the next one."""
    if not _allowed(request.user):
        return _forbidden(request)
    here = reverse("feedback_pages:rate")
    if request.method == "POST":
        return _submit(request, here)
    if "unskip" in request.GET:
        request.session.pop(SKIPPED_KEY, None)
        return redirect(here)
    skip = request.GET.get("skip", "")
    if skip:
        kind, _, ident = skip.partition(":")
        if kind in TargetType.values and 0 < len(ident) <= 64:
            _skip(request, _key(kind, ident))
        return redirect(here)
    entry = _next_item(request, _skipped(request))
    item = None
    if entry is not None:
        try:
            obj = target_get(entry["target_type"], entry["target_id"])
            item = _item_view(entry["target_type"], obj, entry)
        except Http404:  # deleted between the queue's read and ours: the next view moves on
            item = None
    return _page(request, form=RatingForm(), item=item)


def _submit(request, here: str):
    form = RatingForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        feedback_submit(
            rater=request.user,
            target_type=data["target_type"],
            target_id=data["target_id"],
            feedback_type=FeedbackType.RATING,
            rating=data["rating"],
            helpful=HELPFUL_VALUES[data["helpful"]],
            comment=data["comment"].strip(),
            suggestion=data["suggestion"].strip(),
        )
        messages.success(request, "Saved")
        response = redirect(here)
        response.status_code = 303  # see other: the browser GETs the next item
        return response
    # Invalid: nothing is stored; the same item again with the errors (or the next one when it is gone).
    item = None
    target = form.cleaned_data.get("target") if hasattr(form, "cleaned_data") else None
    if target is not None:
        item = _item_view(form.cleaned_data["target_type"], target)
    else:
        entry = _next_item(request, _skipped(request))
        if entry is not None:
            try:
                item = _item_view(entry["target_type"], target_get(entry["target_type"], entry["target_id"]), entry)
            except Http404:
                item = None
    return _page(request, form=form, item=item, status=400, errors=form.non_field_errors())
