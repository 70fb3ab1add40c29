from fairmend.cli import main

main()
