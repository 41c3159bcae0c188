"""Writing articles: render an Article as Markdown, store it under docs/articles/."""
