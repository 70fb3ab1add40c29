"""Reports: the pipeline's HTML/Markdown report (:mod:`fairmend.report.html`), a single run's page
(:mod:`fairmend.report.run_page`) and the pieces they share. Import the module you need; this package
imports nothing, so a run can write its page without loading the pipeline's report."""
