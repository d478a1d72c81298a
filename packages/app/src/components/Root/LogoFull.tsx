import { makeStyles } from '@material-ui/core';
import { CairnStones } from './CairnStones';

const useStyles = makeStyles({
  svg: {
    width: 'auto',
    height: 30,
  },
});

const LogoFull = () => {
  const classes = useStyles();
  return (
    <svg
      className={classes.svg}
      xmlns="http://www.w3.org/2000/svg"
      viewBox="0 0 330 100"
      role="img"
      aria-label="Cairn"
    >
      <CairnStones fill="#7df3e1" />
      <text
        x="112"
        y="80"
        fill="#7df3e1"
        fontFamily="Helvetica, Arial, sans-serif"
        fontSize="80"
        fontWeight="bold"
      >
        Cairn
      </text>
    </svg>
  );
};

export default LogoFull;
