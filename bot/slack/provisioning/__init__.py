"""Resource associations, applications and entities, and inbound routing, from Slack.

- `associate`: `/resource associate`, the form;
- `association_list`: `/resource associations`, a paged, filtered list with Details and Delete;
- `owned`: the account's numbers and senders, to pick from or to show;
- `applications`: list, create, rename and delete applications and entities;
- `routing`: a number's number-level application/entity and its inbound configurations by
  keyword (the `number_routing` button on my-numbers rows opens it), and the number picker before it;
- `keywords`: the form that adds or edits one inbound configuration; `keyword_delete`, its Delete;
- `common`: making a change once, recorded and announced (who may change things is in
  bot/slack/permissions.py; replies and view updates in bot/slack/replies.py).

Anyone may look; only routing managers (bot/slack/permissions.py) may change anything. Every change is
written to the audit log once Infobip has confirmed it, and posted in the channel the command
came from.
"""
