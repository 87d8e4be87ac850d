/**
 * An application's registered logo (https only, checked at registration): on the consent screen and
 * under Connected apps. It is on the app's own host, any host, so a plain <img>: next/image would
 * need each one configured. No referrer: the app learns nothing of the page showing it.
 */
export function AppLogo({ name, src }: { name: string; src: string }) {
  return (
    // eslint-disable-next-line @next/next/no-img-element
    <img
      src={src}
      alt={`${name} logo`}
      width={40}
      height={40}
      loading="lazy"
      referrerPolicy="no-referrer"
      className="size-10 shrink-0 rounded-md object-contain"
    />
  );
}
