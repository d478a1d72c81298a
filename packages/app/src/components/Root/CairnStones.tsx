/** Three stacked stones: Cairn's mark, shared by the full logo and the icon. */
export const CairnStones = ({ fill }: { fill: string }) => (
  <g fill={fill}>
    <ellipse cx="50" cy="84" rx="42" ry="14" />
    <ellipse cx="50" cy="56" rx="30" ry="11" />
    <ellipse cx="50" cy="32" rx="19" ry="9" />
    <ellipse cx="50" cy="13" rx="10" ry="6" />
  </g>
);
