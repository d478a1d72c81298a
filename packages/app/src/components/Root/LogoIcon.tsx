import { makeStyles } from '@material-ui/core';
import { CairnStones } from './CairnStones';

const useStyles = makeStyles({
  svg: {
    width: 'auto',
    height: 28,
  },
});

const LogoIcon = () => {
  const classes = useStyles();
  return (
    <svg
      className={classes.svg}
      xmlns="http://www.w3.org/2000/svg"
      viewBox="0 0 100 100"
      role="img"
      aria-label="Cairn"
    >
      <CairnStones fill="#7df3e1" />
    </svg>
  );
};

export default LogoIcon;
