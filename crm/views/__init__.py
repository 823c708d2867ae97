"""The pages of the contact-management workspace, one module per part:

- ``records``: ``CRMRecordViewSet`` (the base of every CRM record type), accounts,
  business contacts and the sections person records share;
- ``history``: a record's History, history items, E-mail and Meeting request;
- ``link_to``: the Link to dialog;
- ``customize``: Customize ▸ lists, categories, sign-in locks;
- ``home``: the home page and preferences.

Import from the module that defines a view; this package re-exports nothing.
"""
