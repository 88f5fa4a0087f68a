let deskName = 'Help desk';

export function setDeskName(name: string): void {
  deskName = name;
  document.title = name;
}

/** "#1042 Printer on fire · Acme Support" */
export function setPageTitle(part: string | null): void {
  document.title = part ? `${part} · ${deskName}` : deskName;
}
