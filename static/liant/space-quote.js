// Quote only the selected words: with text selected inside a post, its "Quote" link asks
// for that passage (&part=); the server accepts it only if it is really in the post.
// Without JavaScript the link quotes the whole post, which the member trims.
document.addEventListener("click", (event) => {
  const link = event.target.closest("a.quote-link");
  if (!link) return;
  const post = link.closest(".post");
  const selection = window.getSelection();
  const text = selection ? selection.toString().trim() : "";
  if (!post || !text || !post.contains(selection.anchorNode)) return;
  const url = new URL(link.href, window.location.href);
  url.searchParams.set("part", text.slice(0, 2000));
  link.href = url.toString();
});
