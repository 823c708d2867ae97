"""Moving records out and in: export to CSV or Excel, and import from them in
steps (with the status the import page polls)."""
from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _, ngettext
from django.views import View

from .. import importjobs, services
from ..exports import csv_response, export_chunks, export_rows, xlsx_response
from ..files import FileNotStored
from ..forms import ImportUploadForm
from ..tabular import FileRejected, Limits, intcomma, read_table
from .base import ViewSetMixin
from .lists import filtered_queryset, list_table, selected_queryset


class ExportView(ViewSetMixin, View):
    """Export the list as CSV or Excel: GET exports what the filter matches,
    POST exports the ticked records (or all matching, as bulk actions do)."""

    def export(self, request, queryset, data):
        if self.viewset.resource is None:
            raise Http404
        filename = f"{self.viewset.url_prefix}-{timezone.localdate():%Y-%m-%d}"
        if data.get("format") == "xlsx":
            return xlsx_response(export_rows(queryset, self.viewset.resource, typed=True), filename,
                                 str(self.viewset.rtype().verbose_name_plural))
        return csv_response(export_chunks(queryset, self.viewset.resource), filename)

    def sorted(self, request, queryset, data):
        """The records in the list's order (its ``sort``), as the list shows them."""
        _table, ordering = list_table(self.viewset, request, queryset, data.get("sort") or self.viewset.default_sort)
        return queryset.order_by(*ordering)

    def get(self, request):
        _filterset, queryset = filtered_queryset(self.viewset, request, request.GET)
        return self.export(request, self.sorted(request, queryset, request.GET), request.GET)

    def post(self, request):
        queryset, _pks, _query = selected_queryset(self.viewset, request, request.POST)
        return self.export(request, self.sorted(request, queryset, request.POST), request.POST)


class ImportView(ViewSetMixin, View):
    """Import from CSV or Excel in steps: upload → (map unknown columns) →
    preview (new / update / unchanged / skip / error per row, and what each
    update changes) → confirm. Nothing is written before the confirmation,
    and the confirmed import is one transaction.

    The job (file name, choices) is kept in the session; the uploaded file
    and the plan of the preview wait on disk (``crm.generic.importjobs``)
    until the import is committed, cancelled or replaced. A long preview or
    commit writes its progress to disk, where the page polls it
    (``ImportStatusView``), and a preview stops at CRM_IMPORT_TIME_LIMIT."""

    def dispatch(self, request, *args, **kwargs):
        if self.viewset.importer is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def render_step(self, request, step: str, **context):
        return render(request, "generic/import.html", self.base_context(
            step=step, max_size=settings.CRM_MAX_IMPORT_SIZE, status_url=self.viewset.url("import_status"),
            **context))

    def upload_form(self, *args) -> ImportUploadForm:
        form = ImportUploadForm(*args)
        form.fields["on_duplicate"].label = self.viewset.importer.duplicate_label
        return form

    def progress(self, request, *, time_limit: bool = True) -> importjobs.ImportProgress:
        """The progress of this request's step, under the id the page sent (crm.js)."""
        return importjobs.ImportProgress(request.POST.get("progress"), request.user,
                                         time_limit=settings.CRM_IMPORT_TIME_LIMIT if time_limit else None)

    def importer(self, request, progress):
        importer = self.viewset.importer(request.user)
        importer.progress = progress
        return importer

    def get(self, request):
        return self.render_step(request, "upload", form=self.upload_form())

    def post(self, request):
        step = request.POST.get("step", "upload")
        if step == "upload":
            return self.upload(request)
        token = request.POST.get("token", "")
        if step == "cancel":
            importjobs.forget(request.session, token)
            messages.info(request, _("The import was cancelled and the uploaded file removed."))
            return redirect(self.viewset.url("list"))
        job = importjobs.session_jobs(request.session).get(token)
        if job is None or not importjobs.upload_path(job).is_file():
            # Removed after an hour (purge_imports), or by a newer upload.
            if job is not None:
                importjobs.forget(request.session, token)
            messages.error(request, _("This import has expired; upload the file again."))
            return redirect(self.viewset.url("import"))
        progress = self.progress(request, time_limit=step != "commit")
        importer = self.importer(request, progress)
        try:
            if step == "commit":
                return self.commit(request, token, job, importer)
            table = read_table(job["name"], importjobs.upload_path(job), limits=Limits.from_settings(),
                               progress=progress.reader("read"))
            if step == "map":
                chosen = {str(i): request.POST.get(f"column_{i}") or None for i in range(len(table.header))}
                chosen = {k: (v if v in importer.by_key else None) for k, v in chosen.items()}
                targets = [v for v in chosen.values() if v]
                twice = sorted({importer.by_key[v].label for v in targets if targets.count(v) > 1})
                if twice:
                    mapping = {int(k): v for k, v in chosen.items()}
                    return self.render_step(request, "map", token=token, job=job, targets=importer.columns,
                                            columns=self.mapping_rows(table, mapping),
                                            map_error=_("Each field can take one column only: %(fields)s.")
                                            % {"fields": ", ".join(twice)})
                job["mapping"] = chosen
                request.session.modified = True
            return self.show_preview(request, token, job, importer, table)
        except (FileRejected, FileNotStored) as error:
            # Past the time limit, or the disk is full: start again with another file.
            importjobs.forget(request.session, token)
            messages.error(request, error.messages[0] if isinstance(error, FileNotStored) else str(error))
            return redirect(self.viewset.url("import"))
        finally:
            progress.finish()

    def upload(self, request):
        form = self.upload_form(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_step(request, "upload", form=form)
        upload = form.cleaned_data["file"]
        # Leftovers of abandoned imports (a cron job runs purge_imports too).
        importjobs.purge()
        # A new upload replaces this user's earlier one for this list.
        importjobs.forget_list(request.session, self.viewset.record_type)
        token = secrets.token_urlsafe(12)
        progress = self.progress(request)
        job = {"type": self.viewset.record_type, "name": upload.name,
               "on_duplicate": form.cleaned_data["on_duplicate"], "clear_empty": form.cleaned_data["clear_empty"]}
        try:
            job["file"] = importjobs.store_upload(upload, token)
            table = read_table(upload.name, importjobs.upload_path(job), limits=Limits.from_settings(),
                               progress=progress.reader("read"))
            importer = self.importer(request, progress)
            mapping = importer.match_headers(table.header, table.rows)
            job["mapping"] = {str(k): v for k, v in mapping.items()}
            importjobs.remember(request.session, token, job)
            if importer.unmatched(table.header, mapping):
                return self.render_step(request, "map", token=token, job=job, targets=importer.columns,
                                        columns=self.mapping_rows(table, mapping))
            return self.show_preview(request, token, job, importer, table)
        except (FileRejected, FileNotStored) as error:
            importjobs.forget(request.session, token)
            importjobs.remove(job if "file" in job else None)
            form.add_error("file", error if isinstance(error, ValidationError) else str(error))
            return self.render_step(request, "upload", form=form)
        finally:
            progress.finish()

    def mapping_rows(self, table, mapping):
        """(index, header, example value, matched key) per file column."""
        examples = table.rows[0] if table.rows else []
        return [(index, name, examples[index] if index < len(examples) else "", mapping.get(index))
                for index, name in enumerate(table.header)]

    @staticmethod
    def digest(importer, job) -> str:
        mapping = {int(k): v for k, v in job["mapping"].items()}
        return importer.digest(importjobs.upload_path(job), mapping, job["on_duplicate"], job.get("clear_empty", False))

    def show_preview(self, request, token, job, importer, table=None):
        """Preview the file as the job's column choices read it, and store the plan
        of its writes for the confirmation."""
        table = table or read_table(job["name"], importjobs.upload_path(job), limits=Limits.from_settings(),
                                    progress=importer.progress.reader("read") if importer.progress else None)
        mapping = {int(k): v for k, v in job["mapping"].items()}
        preview = importer.preview(table, mapping, on_duplicate=job["on_duplicate"],
                                   clear_empty=job.get("clear_empty", False))
        importer.report("plan")
        digest = self.digest(importer, job)
        importjobs.write_plan(job, importer.prepare(preview, digest).chunks())
        # Each message with the value of the cell it is about (none for a row-wide one).
        column_at = {}
        for index, name in enumerate(table.header):
            column_at.setdefault(name, index)

        def cell(row, header):
            index = column_at.get(header)
            return row.cells[index] if index is not None and index < len(row.cells) else ""

        errors = [(row.number, header, cell(row, header), reason) for row in preview.rows for header, reason in row.errors]
        warnings = [(row.number, header, reason) for row in preview.rows for header, reason in row.warnings]
        shown = preview.rows[:200]
        changes = importer.describe_changes(shown)
        return self.render_step(
            request, "preview", token=token, job=job, preview=preview, digest=digest,
            counts=preview.counts, errors=errors[:500], error_count=len(errors),
            warnings=warnings[:500], warning_count=len(warnings),
            sample=[(row, [row.values.get(key, row.current.get(key, "")) for key, _label in importer.preview_columns],
                     changes.get(row.number, [])) for row in shown],
            preview_headings=[label for _key, label in importer.preview_columns],
            used=[(table.header[i], importer.by_key[k].label) for i, k in sorted(mapping.items()) if k],
            ignored=[table.header[i] for i, k in sorted(mapping.items()) if not k and table.header[i]],
            encoding=table.encoding, delimiter={",": ",", ";": ";", "\t": _("tab")}.get(table.delimiter, table.delimiter),
        )

    def commit(self, request, token, job, importer):
        """Write the plan the user confirmed, if it is still the preview of this file
        with these columns; otherwise show the preview again (nothing written)."""
        digest = self.digest(importer, job)
        plan = importjobs.read_plan(job)
        sent = request.POST.get("digest", "").encode()   # bytes: compare_digest refuses non-ASCII text
        if plan is None or not secrets.compare_digest(sent, digest.encode()) or plan.digest != digest:
            messages.error(request, _("This preview is out of date: the file or the column choices changed. "
                                      "Check the preview below and confirm again."))
            return self.show_preview(request, token, job, importer)
        try:
            result = services.records_import(importer=importer, plan=plan, user=request.user, source=job["name"],
                                             skip_errors=request.POST.get("skip_errors") == "on")
        except services.DomainError as error:
            messages.error(request, error.message)
            return self.show_preview(request, token, job, importer)
        importjobs.forget(request.session, token)
        messages.success(request, _("Import finished: %(counts)s.") % {"counts": self.counts_text(result)})
        return redirect(self.viewset.url("list"))

    @staticmethod
    def counts_text(counts: dict[str, int]) -> str:
        """What a confirmed import did, by the statuses its preview counted: "2 new,
        1 updated, 3 unchanged, 0 skipped, 1 with errors (not imported)"."""
        return ", ".join([
            ngettext("%(count)d new", "%(count)d new", counts["new"]) % {"count": counts["new"]},
            ngettext("%(count)d updated", "%(count)d updated", counts["update"]) % {"count": counts["update"]},
            ngettext("%(count)d unchanged", "%(count)d unchanged", counts["unchanged"]) % {"count": counts["unchanged"]},
            ngettext("%(count)d skipped", "%(count)d skipped", counts["skip"]) % {"count": counts["skip"]},
            ngettext("%(count)d with errors (not imported)", "%(count)d with errors (not imported)",
                     counts["error"]) % {"count": counts["error"]},
        ])


class ImportStatusView(ViewSetMixin, View):
    """Where the user's import step in progress is (the import page polls it
    while it waits: crm.js), read from the file that step writes, so any
    server process can answer. 204 when there is nothing to tell yet."""

    def get(self, request):
        data = importjobs.read_progress(request.GET.get("id", ""), request.user)
        if data is None:
            return HttpResponse(status=204)
        done, total = int(data.get("done") or 0), int(data.get("total") or 0)
        numbers = {"done": intcomma(done), "total": intcomma(total)}
        phase = data.get("phase")
        if phase == "read":
            text = (ngettext("Reading the file: %(done)s of about %(total)s row", "Reading the file: %(done)s of "
                             "about %(total)s rows", total) if total else
                    ngettext("Reading the file: %(done)s row", "Reading the file: %(done)s rows", done)) % numbers
        elif phase == "check":
            text = ngettext("Checking the rows: %(done)s of %(total)s", "Checking the rows: %(done)s of %(total)s",
                            total) % numbers
        elif phase in ("match", "compare"):
            text = ngettext("Comparing with the saved records: %(done)s of %(total)s",
                            "Comparing with the saved records: %(done)s of %(total)s", total) % numbers
        elif phase == "write":
            text = ngettext("Importing: %(done)s of %(total)s row", "Importing: %(done)s of %(total)s rows",
                            total) % numbers
        else:
            text = _("Preparing the preview…")
        response = JsonResponse({"phase": phase, "done": done, "total": total, "text": text})
        response["Cache-Control"] = "no-store"
        return response
