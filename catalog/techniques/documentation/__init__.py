"""Documentation techniques (contract ``analysis``): datasheets for datasets, model cards, AI
FactSheets and a fairness checklist, generated from the data's facts as Markdown and HTML."""
