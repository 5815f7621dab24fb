"""People's ratings of what the agents learned, and what is learned from them (Django side): the rating queue and
forms, agreement between raters, the transparent reward, pattern weights, the learned reward model's versions and
the exports training libraries read."""
